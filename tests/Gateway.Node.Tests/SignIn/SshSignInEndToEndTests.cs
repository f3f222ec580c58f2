using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;
using Gateway.Testing.SignIn;
using Users = Gateway.Testing.SignIn.OidcTestProvider.Users;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// Signing in an SSH tunnel client end to end: a real node with sign-in, a real OpenID Connect
/// provider, headless Chromium confirming the code, and real OpenSSH clients whose keys no
/// <c>users</c> entry names. The tunnel route admits the group <c>engineering</c> (Alice, not Bob).
/// </summary>
public sealed class SshSignInEndToEndTests : SignInScenario
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string TunnelHost = "tunnel.localhost.test";
    private const string DomainTunnelHost = "domain-tunnel.localhost.test";

    protected override string Routes(string upstreamUrl) => $$"""
            routes = [
              {
                from = "https://{{TunnelHost}}"
                to = "{{upstreamUrl}}"
                allow_public_unauthenticated_access = true
                upstream_tunnel { ssh_policy { allow { or = [{ groups { has = "engineering" } }] } } }
              }
              {
                from = "https://{{DomainTunnelHost}}"
                to = "{{upstreamUrl}}"
                allow_public_unauthenticated_access = true
                upstream_tunnel { ssh_policy { allow { or = [{ domain { is = "example.com" } }] } } }
              }
            ]
        """;

    /// <summary>Signs <paramref name="user"/> in at the provider and confirms the code at <paramref name="url"/>.</summary>
    private async Task<BrowserResult> ConfirmAsync(string url, string user, BrowserProfile profile, bool confirm = true)
    {
        var run = await HeadlessBrowser.RunAsync(SignInGateway.ConfirmCode(url, user, confirm), profile);
        Assert.True(run.Ok, run + "\n" + Gateway.Logs());
        return run;
    }

    private Task<(string Body, int Status)> GetAsync()
        => Curl.WaitForStatusAsync(Gateway.Node, TunnelHost, s => s != 503, Timeout);

    [Fact]
    public async Task A_waiting_ssh_client_starts_serving_when_the_browser_confirms_and_logout_ends_it()
    {
        var client = await SignInSshClient.CreateAsync(Dir, "laptop");
        await using var ssh = client.Start(Gateway.Node, ["-N", "-v", "-R", "0"]);
        var url = await SignInSshClient.WaitForSignInUrlAsync(ssh, Timeout);
        Assert.StartsWith(Gateway.AuthenticateUrl + ".pomerium/sign_in?user_code=", url, StringComparison.Ordinal);
        Assert.Contains("Please sign in to continue", ssh.Stderr);
        Assert.False(ssh.HasExited);

        using var profile = new BrowserProfile();
        var run = await ConfirmAsync(url, Users.Alice, profile);
        var page = run.Snapshots["confirm page"].Text;
        Assert.Contains("Source address", page);
        Assert.Contains("127.0.0.1", page);
        Assert.Contains("SHA256:", page);
        Assert.Contains("alice@example.com", page);
        Assert.Contains("signed in as alice@example.com", run.Snapshots["decided"].Text);

        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        var (body, status) = await GetAsync();
        Assert.Equal(200, status);
        Assert.Contains("GET / HTTP/1.1", body);

        // The same code again: already processed.
        var replay = await HeadlessBrowser.RunAsync(new BrowserPlan().Goto(url).Snapshot("replay"), profile);
        Assert.Equal(409, replay.Snapshots["replay"].Status);

        // whoami over the same key needs no new sign-in; logout ends the session everywhere.
        var whoami = await ExternalProcess.RunAsync("ssh", client.Arguments(Gateway.Node, []).Append("whoami"), Timeout);
        Assert.Equal(0, whoami.ExitCode);
        Assert.Contains("alice@example.com", whoami.Stdout + whoami.Stderr);
        Assert.Contains("Expires at:", whoami.Stdout + whoami.Stderr);
        var logout = await ExternalProcess.RunAsync("ssh", client.Arguments(Gateway.Node, []).Append("logout"), Timeout);
        Assert.Contains("Logged out successfully", logout.Stdout + logout.Stderr);
        Assert.True(await ssh.WaitForExitAsync(TimeSpan.FromSeconds(20)), ssh.Stderr);
        Assert.Contains("sign-in ended: signed out", ssh.Stderr);
    }

    [Fact]
    public async Task A_background_client_continues_when_its_key_signs_in_through_another_connection()
    {
        var client = await SignInSshClient.CreateAsync(Dir, "service");
        // The service, as a unit file would run it: `ssh -fN -R 0` waits at sign-in, logging the URL,
        // and goes to the background once in (its forked child keeps the tunnel and the stderr pipe).
        await using var service = client.Start(Gateway.Node, ["-f", "-N", "-v", "-R", "0"]);
        try
        {
            await ServiceSignsInThroughAnotherConnectionAsync(client, service);
        }
        finally
        {
            // The forked child is no longer the process started; it is found by its unique key path.
            await ExternalProcess.RunAsync("pkill", ["-f", client.KeyPath], TimeSpan.FromSeconds(10));
        }
    }

    private async Task ServiceSignsInThroughAnotherConnectionAsync(SignInSshClient client, ExternalProcess service)
    {
        var serviceUrl = await SignInSshClient.WaitForSignInUrlAsync(service, Timeout);

        // Someone runs `ssh gateway -- whoami` with the same key: the same code, so one sign-in does both.
        await using var whoami = client.Start(Gateway.Node, [], "whoami");
        var whoamiUrl = await SignInSshClient.WaitForSignInUrlAsync(whoami, Timeout);
        Assert.Equal(serviceUrl, whoamiUrl);

        using var profile = new BrowserProfile();
        await ConfirmAsync(whoamiUrl, Users.Alice, profile);
        Assert.True(await whoami.WaitForExitAsync(Timeout), whoami.Stderr);
        Assert.Equal(0, whoami.ExitCode);
        Assert.Contains("alice@example.com", whoami.Stdout + whoami.Stderr);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(service, Timeout));
        Assert.Equal(200, (await GetAsync()).Status);
        // The process started was the foreground one: it went away once authenticated; the tunnel lives on in its child.
        // (Not WaitForExitAsync: that drains the output pipes, which the child holds open.)
        var deadline = DateTime.UtcNow + Timeout;
        while (!service.HasExited && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(service.HasExited, service.Stderr);
        Assert.Equal(0, service.ExitCode);
        Assert.Equal(200, (await GetAsync()).Status);
    }

    [Fact]
    public async Task A_code_binds_only_its_own_key_and_ssh_policy_refuses_a_signed_in_user_outside_the_group()
    {
        var alice = await SignInSshClient.CreateAsync(Dir, "alice-key");
        var bob = await SignInSshClient.CreateAsync(Dir, "bob-key");
        await using var aliceSsh = alice.Start(Gateway.Node, ["-N", "-v", "-R", "0"]);
        await using var bobSsh = bob.Start(Gateway.Node, ["-N", "-v", "-R", "0"]);
        var aliceUrl = await SignInSshClient.WaitForSignInUrlAsync(aliceSsh, Timeout);
        var bobUrl = await SignInSshClient.WaitForSignInUrlAsync(bobSsh, Timeout);
        Assert.NotEqual(aliceUrl, bobUrl);

        using var aliceBrowser = new BrowserProfile();
        await ConfirmAsync(aliceUrl, Users.Alice, aliceBrowser);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(aliceSsh, Timeout));
        // Bob's key was not bound by Alice's code: still waiting at its own URL.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(bobSsh.HasExited);
        Assert.DoesNotContain("Authenticated to", bobSsh.Stderr);

        // Bob signs in and confirms his own code: he is in, but neither ssh_policy (group engineering,
        // domain example.com: Bob is bob@example.org in sales) gives him a route.
        using var bobBrowser = new BrowserProfile();
        await ConfirmAsync(bobUrl, Users.Bob, bobBrowser);
        Assert.True(await bobSsh.WaitForStderrAsync(e => e.Contains("Authenticated to", StringComparison.Ordinal), Timeout), bobSsh.Stderr);
        await TunnelClient.WaitForForwardAsync(bobSsh, Timeout);
        // Only Alice's tunnel serves either route: with hers gone, both have none.
        Assert.Equal(200, (await GetAsync()).Status);
        Assert.Equal(200, (await Curl.WaitForStatusAsync(Gateway.Node, DomainTunnelHost, s => s != 503, Timeout)).Status);
        await aliceSsh.DisposeAsync();
        Assert.Equal(503, (await Curl.WaitForStatusAsync(Gateway.Node, TunnelHost, s => s == 503, Timeout)).Status);
        Assert.Equal(503, (await Curl.WaitForStatusAsync(Gateway.Node, DomainTunnelHost, s => s == 503, Timeout)).Status);
    }

    [Fact]
    public async Task A_denied_code_ends_the_waiting_client()
    {
        var client = await SignInSshClient.CreateAsync(Dir, "stranger");
        await using var ssh = client.Start(Gateway.Node, ["-N", "-R", "0"]);
        var url = await SignInSshClient.WaitForSignInUrlAsync(ssh, Timeout);
        using var profile = new BrowserProfile();
        var run = await ConfirmAsync(url, Users.Alice, profile, confirm: false);
        Assert.Contains("denied", run.Snapshots["decided"].Text);
        Assert.True(await ssh.WaitForExitAsync(Timeout), ssh.Stderr);
        Assert.Equal(255, ssh.ExitCode);
        Assert.Contains("user has denied this code", ssh.Stderr);
    }
}
