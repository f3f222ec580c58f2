using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;
using Gateway.Testing.SignIn;
using Users = Gateway.Testing.SignIn.OidcTestProvider.Users;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// The node that completed a sign-in (wrote the session and the key's binding, and made the Data
/// Protection key the cookie is protected with) is killed with SIGKILL: the survivors still honour
/// the cookie, the tunnel bound on a third node stays up, the key needs no new sign-in, and
/// <c>logout</c> on a survivor still ends the tunnel.
/// </summary>
public sealed class SignInNodeLossTests : SignInScenario
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string AppHost = "app.localhost.test";
    private const string TunnelHost = "tunnel.localhost.test";

    protected override string Routes(string upstreamUrl) => $$"""
            routes = [
              { from = "https://{{AppHost}}", to = "{{upstreamUrl}}", pass_identity_headers = true,
                policy { allow { or = [{ domain { is = "example.com" } }] } } }
              { from = "https://{{TunnelHost}}", to = "{{upstreamUrl}}", allow_public_unauthenticated_access = true,
                upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } } }
            ]
        """;

    protected override int NodeCount => 3;

    [Fact]
    public async Task Sign_in_state_survives_the_kill_of_the_node_that_made_it()
    {
        var (a, b, c) = (Gateway.Nodes[0], Gateway.Nodes[1], Gateway.Nodes[2]);
        var client = await SignInSshClient.CreateAsync(Dir, "laptop");
        await using var ssh = client.Start(c, ["-N", "-v", "-R", "0"]);
        var url = await SignInSshClient.WaitForSignInUrlAsync(ssh, Timeout);

        // A (the authenticate URL's node) completes the browser sign-in and the code's confirmation.
        using var profile = new BrowserProfile();
        var confirm = await HeadlessBrowser.RunAsync(SignInGateway.ConfirmCode(url, Users.Alice)
            .Goto(SignInGateway.Url(a, AppHost)).WaitForUrl(AppHost).Snapshot("route"), profile);
        Assert.True(confirm.Ok, confirm + "\n" + Gateway.Logs());
        var session = UpstreamAssertion.SessionId(confirm);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));

        await a.KillAsync();

        // B honours the cookie A made (same session, no new sign-in), and its tunnel on C serves through B.
        var viaB = await HeadlessBrowser.RunAsync(new BrowserPlan().Goto(SignInGateway.Url(b, AppHost)).WaitForUrl(AppHost).Snapshot("route"), profile);
        Assert.True(viaB.Ok, viaB + "\n" + Gateway.Logs());
        Assert.Equal(session, UpstreamAssertion.SessionId(viaB));
        var (_, status) = await Curl.WaitForStatusAsync(b, TunnelHost, s => s == 200, Timeout);
        Assert.Equal(200, status);

        // Past a watcher interval on C the tunnel is still up: its binding and session are still there.
        await Task.Delay(TimeSpan.FromSeconds(11));
        Assert.False(ssh.HasExited, ssh.Stderr);

        // The key is still signed in through B, and logout there ends the tunnel on C.
        var whoami = await ExternalProcess.RunAsync("ssh", client.Arguments(b, []).Append("whoami"), Timeout);
        Assert.Equal(0, whoami.ExitCode);
        Assert.Contains("alice@example.com", whoami.Stdout + whoami.Stderr);
        var logout = await ExternalProcess.RunAsync("ssh", client.Arguments(b, []).Append("logout"), Timeout);
        Assert.Contains("Logged out successfully", logout.Stdout + logout.Stderr);
        Assert.True(await ssh.WaitForExitAsync(Timeout), ssh.Stderr + "\n" + Gateway.Logs());
        Assert.Contains("sign-in ended: signed out", ssh.Stderr);
    }
}
