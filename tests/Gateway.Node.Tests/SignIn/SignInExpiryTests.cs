using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;
using Gateway.Testing.SignIn;
using Users = Gateway.Testing.SignIn.OidcTestProvider.Users;

namespace Gateway.Node.Tests.SignIn;

/// <summary>A session's end by expiry (<c>cookie_expire</c>) disconnects its SSH clients within the watcher's interval.</summary>
public sealed class SignInExpiryTests : SignInScenario
{
    private const string TunnelHost = "tunnel.localhost.test";

    protected override string Routes(string upstreamUrl) => $$"""
            routes = [
              { from = "https://{{TunnelHost}}", to = "{{upstreamUrl}}", allow_public_unauthenticated_access = true,
                upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } } }
            ]
        """;

    protected override string Extra => "cookie_expire = \"20s\"";

    [Fact]
    public async Task An_expired_session_disconnects_its_tunnel_and_its_key_must_sign_in_again()
    {
        var client = await SignInSshClient.CreateAsync(Dir, "laptop");
        await using var ssh = client.Start(Gateway.Node, ["-N", "-v", "-R", "0"]);
        var url = await SignInSshClient.WaitForSignInUrlAsync(ssh, TimeSpan.FromSeconds(30));
        using var profile = new BrowserProfile();
        var confirm = await HeadlessBrowser.RunAsync(SignInGateway.ConfirmCode(url, Users.Alice), profile);
        Assert.True(confirm.Ok, confirm + "\n" + Gateway.Logs());
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, TimeSpan.FromSeconds(30)));
        var signedIn = DateTime.UtcNow;

        // 20 s of session, then at most one 10 s watcher interval (plus slack for a loaded machine).
        Assert.True(await ssh.WaitForExitAsync(TimeSpan.FromSeconds(45)), ssh.Stderr);
        Assert.Contains("sign-in ended: session expired", ssh.Stderr);
        Assert.InRange((DateTime.UtcNow - signedIn).TotalSeconds, 15, 45);

        // The binding ended with its session: the same key is asked to sign in again.
        await using var again = client.Start(Gateway.Node, ["-N", "-R", "0"]);
        var second = await SignInSshClient.WaitForSignInUrlAsync(again, TimeSpan.FromSeconds(30));
        Assert.NotEqual(url, second);
    }
}
