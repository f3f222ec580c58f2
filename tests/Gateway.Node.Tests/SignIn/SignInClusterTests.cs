using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;
using Gateway.Testing.SignIn;
using Users = Gateway.Testing.SignIn.OidcTestProvider.Users;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// Sign-in across two real nodes: the session, the key bindings and the Data Protection key ring
/// live in the cluster, so a cookie made through one node is good on the other, a code issued by
/// one node is confirmed through the other, and a sign-out through one node ends a tunnel held by
/// the other.
/// </summary>
public sealed class SignInClusterTests : SignInScenario
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string AppHost = "app.localhost.test";
    private const string TunnelHost = "tunnel.localhost.test";

    protected override string Routes(string upstreamUrl) => $$"""
            routes = [
              { from = "https://{{AppHost}}", to = "{{upstreamUrl}}", pass_identity_headers = true,
                policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
              {
                from = "https://{{TunnelHost}}"
                to = "{{upstreamUrl}}"
                allow_public_unauthenticated_access = true
                upstream_tunnel { ssh_policy { allow { or = [{ "claim/department" { has = "eng" } }] } } }
              }
            ]
        """;

    protected override int NodeCount => 2;

    [Fact]
    public async Task A_session_made_through_one_node_works_on_the_other_and_signing_out_there_ends_a_tunnel_held_here()
    {
        var (a, b) = (Gateway.Nodes[0], Gateway.Nodes[1]);
        var client = await SignInSshClient.CreateAsync(Dir, "laptop");
        await using var ssh = client.Start(b, ["-N", "-v", "-R", "0"]);
        var url = await SignInSshClient.WaitForSignInUrlAsync(ssh, Timeout);

        // B issued the code; the browser confirms it through A (the authenticate URL is A's listener).
        using var profile = new BrowserProfile();
        var confirm = await HeadlessBrowser.RunAsync(SignInGateway.ConfirmCode(url, Users.Alice), profile);
        Assert.True(confirm.Ok, confirm + "\n" + Gateway.Logs());
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        // The tunnel on B serves requests arriving at A (relayed).
        var (_, status) = await Curl.WaitForStatusAsync(a, TunnelHost, s => s == 200, Timeout);
        Assert.Equal(200, status);

        // The browser's session, made through A, is good on B: the same session id reaches the upstream.
        var viaA = await HeadlessBrowser.RunAsync(new BrowserPlan().Goto(SignInGateway.Url(a, AppHost)).WaitForUrl(AppHost).Snapshot("route"), profile);
        var viaB = await HeadlessBrowser.RunAsync(new BrowserPlan().Goto(SignInGateway.Url(b, AppHost)).WaitForUrl(AppHost).Snapshot("route"), profile);
        Assert.True(viaA.Ok && viaB.Ok, viaA + "\n" + viaB + "\n" + Gateway.Logs());
        Assert.Equal(UpstreamAssertion.SessionId(viaA), UpstreamAssertion.SessionId(viaB));

        // Signing out through A ends the SSH connection held by B.
        var signOut = await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(Gateway.AuthenticateUrl + ".pomerium/sign_out").Click("#sign-out").ExpectText("You are signed out"), profile);
        Assert.True(signOut.Ok, signOut.ToString());
        Assert.True(await ssh.WaitForExitAsync(TimeSpan.FromSeconds(30)), ssh.Stderr + "\n" + Gateway.Logs());
        Assert.Contains("sign-in ended: signed out", ssh.Stderr);
    }
}
