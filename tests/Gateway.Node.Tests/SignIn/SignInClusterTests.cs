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
public sealed class SignInClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string AppHost = "app.localhost.test";
    private const string TunnelHost = "tunnel.localhost.test";
    private readonly TempDirectory _dir = new();
    private HeaderEchoUpstream _upstream = null!;
    private SignInGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = HeaderEchoUpstream.Start();
        _gateway = await SignInGateway.StartAsync(_dir, $$"""
            routes = [
              { from = "https://{{AppHost}}", to = "{{_upstream.Url}}", pass_identity_headers = true,
                policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
              {
                from = "https://{{TunnelHost}}"
                to = "{{_upstream.Url}}"
                allow_public_unauthenticated_access = true
                upstream_tunnel { ssh_policy { allow { or = [{ "claim/department" { has = "eng" } }] } } }
              }
            ]
            """, nodeCount: 2);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_session_made_through_one_node_works_on_the_other_and_signing_out_there_ends_a_tunnel_held_here()
    {
        var (a, b) = (_gateway.Nodes[0], _gateway.Nodes[1]);
        var client = await SignInSshClient.CreateAsync(_dir, "laptop");
        await using var ssh = client.Start(b, ["-N", "-v", "-R", "0"]);
        var url = await SignInSshClient.WaitForSignInUrlAsync(ssh, Timeout);

        // B issued the code; the browser confirms it through A (the authenticate URL is A's listener).
        using var profile = new BrowserProfile();
        var confirm = await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(url).Login(Users.Alice, Users.Password).WaitForUrl("user_code=").Click("#confirm").Snapshot("decided"), profile);
        Assert.True(confirm.Ok, confirm + "\n" + _gateway.Logs());
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        // The tunnel on B serves requests arriving at A (relayed).
        var (_, status) = await Curl.WaitForStatusAsync(a, TunnelHost, s => s == 200, Timeout);
        Assert.Equal(200, status);

        // The browser's session, made through A, is good on B: the same session id reaches the upstream.
        var viaA = await HeadlessBrowser.RunAsync(new BrowserPlan().Goto(SignInGateway.Url(a, AppHost)).WaitForUrl(AppHost).Snapshot("route"), profile);
        var viaB = await HeadlessBrowser.RunAsync(new BrowserPlan().Goto(SignInGateway.Url(b, AppHost)).WaitForUrl(AppHost).Snapshot("route"), profile);
        Assert.True(viaA.Ok && viaB.Ok, viaA + "\n" + viaB + "\n" + _gateway.Logs());
        Assert.Equal(UpstreamAssertion.SessionId(viaA), UpstreamAssertion.SessionId(viaB));

        // Signing out through A ends the SSH connection held by B.
        var signOut = await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(_gateway.AuthenticateUrl + ".pomerium/sign_out").Click("#sign-out").ExpectText("You are signed out"), profile);
        Assert.True(signOut.Ok, signOut.ToString());
        Assert.True(await ssh.WaitForExitAsync(TimeSpan.FromSeconds(30)), ssh.Stderr + "\n" + _gateway.Logs());
        Assert.Contains("sign-in ended: signed out", ssh.Stderr);
    }
}

/// <summary>A session's end by expiry (<c>cookie_expire</c>) disconnects its SSH clients within the watcher's interval.</summary>
public sealed class SignInExpiryTests : IAsyncLifetime
{
    private const string TunnelHost = "tunnel.localhost.test";
    private readonly TempDirectory _dir = new();
    private HeaderEchoUpstream _upstream = null!;
    private SignInGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = HeaderEchoUpstream.Start();
        _gateway = await SignInGateway.StartAsync(_dir, $$"""
            routes = [
              { from = "https://{{TunnelHost}}", to = "{{_upstream.Url}}", allow_public_unauthenticated_access = true,
                upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } } }
            ]
            """, extra: "cookie_expire = \"20s\"");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task An_expired_session_disconnects_its_tunnel_and_its_key_must_sign_in_again()
    {
        var client = await SignInSshClient.CreateAsync(_dir, "laptop");
        await using var ssh = client.Start(_gateway.Node, ["-N", "-v", "-R", "0"]);
        var url = await SignInSshClient.WaitForSignInUrlAsync(ssh, TimeSpan.FromSeconds(30));
        using var profile = new BrowserProfile();
        var confirm = await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(url).Login(Users.Alice, Users.Password).WaitForUrl("user_code=").Click("#confirm"), profile);
        Assert.True(confirm.Ok, confirm + "\n" + _gateway.Logs());
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, TimeSpan.FromSeconds(30)));
        var signedIn = DateTime.UtcNow;

        // 20 s of session, then at most one 10 s watcher interval (plus slack for a loaded machine).
        Assert.True(await ssh.WaitForExitAsync(TimeSpan.FromSeconds(45)), ssh.Stderr);
        Assert.Contains("sign-in ended: session expired", ssh.Stderr);
        Assert.InRange((DateTime.UtcNow - signedIn).TotalSeconds, 15, 45);

        // The binding ended with its session: the same key is asked to sign in again.
        await using var again = client.Start(_gateway.Node, ["-N", "-R", "0"]);
        var second = await SignInSshClient.WaitForSignInUrlAsync(again, TimeSpan.FromSeconds(30));
        Assert.NotEqual(url, second);
    }
}

/// <summary>
/// Sign-in on a plain-HTTP listener (<c>insecure_server</c>, e.g. behind a TLS-terminating load
/// balancer on the same host): an http authenticate URL is accepted, and the browser's sign-in
/// works with cookies that are not marked Secure (a browser would drop Secure cookies over http).
/// </summary>
public sealed class InsecureServerSignInTests : IAsyncLifetime
{
    private const string AppHost = "app.localhost.test";
    private readonly TempDirectory _dir = new();
    private HeaderEchoUpstream _upstream = null!;
    private SignInGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = HeaderEchoUpstream.Start();
        _gateway = await SignInGateway.StartAsync(_dir, $$"""
            routes = [
              { from = "https://{{AppHost}}", to = "{{_upstream.Url}}", policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
            ]
            """, insecureServer: true);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_browser_signs_in_over_plain_http()
    {
        using var profile = new BrowserProfile();
        var url = SignInGateway.Url(_gateway.Node, AppHost, "/over-http", scheme: "http");
        var run = await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(url).Login(Users.Alice, Users.Password).WaitForUrl(AppHost).Snapshot("route"), profile);
        Assert.True(run.Ok, run + "\n" + _gateway.Logs());
        Assert.Equal(200, run.Snapshots["route"].Status);
        Assert.Contains("GET /over-http HTTP/1.1", run.Snapshots["route"].Text);
        Assert.StartsWith("http://", run.FinalUrl, StringComparison.Ordinal);
        Assert.Contains(run.Cookies, c => c.Name == "_gateway" && c.Domain == AppHost && c.HttpOnly && !c.Secure);
    }
}
