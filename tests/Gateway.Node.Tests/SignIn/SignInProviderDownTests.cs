using System.Security.Cryptography;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// A node whose identity provider cannot be reached still starts and serves; a sign-in that needs
/// the provider answers 502 with a page that says so, and public routes are untouched.
/// </summary>
public sealed class SignInProviderDownTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_node_starts_and_a_sign_in_answers_502_while_the_provider_is_down()
    {
        var closedPort = LoopbackPorts.Reserve();
        await using var node = GatewayNodeProcess.Create(_dir, $$"""
            idp_provider = "oidc"
            idp_provider_url = "http://127.0.0.1:{{closedPort}}"
            idp_client_id = "gateway"
            idp_client_secret = "secret"
            authenticate_service_url = "https://authenticate.localhost.test"
            cookie_secret = "{{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}}"
            routes = [
              { from = "https://app.localhost.test", to = "http://127.0.0.1:1", policy { allow { or = [{ authenticated_user = true }] } } }
              { from = "https://open.localhost.test", to = "http://127.0.0.1:1", allow_public_unauthenticated_access = true }
            ]
            """);
        await node.StartAsync(TimeSpan.FromSeconds(60));
        var port = node.HttpsPort;

        // The route sends the browser to sign in...
        var route = await ExternalProcess.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "--cacert", node.CaPath,
            "--resolve", $"app.localhost.test:{port}:127.0.0.1", $"https://app.localhost.test:{port}/"], TimeSpan.FromSeconds(30));
        Assert.StartsWith("302 https://authenticate.localhost.test/.pomerium/sign_in?pomerium_redirect_uri=", route.Stdout);

        // ...and the sign-in, which needs the provider's discovery document, says it is unavailable.
        var signIn = await ExternalProcess.RunAsync("curl", ["-sS", "-w", "\n%{http_code}", "--cacert", node.CaPath,
            "--resolve", $"authenticate.localhost.test:{port}:127.0.0.1",
            $"https://authenticate.localhost.test:{port}/.pomerium/sign_in?pomerium_redirect_uri=" + Uri.EscapeDataString($"https://app.localhost.test:{port}/")],
            TimeSpan.FromSeconds(60));
        Assert.EndsWith("\n502", signIn.Stdout);
        Assert.Contains("identity provider could not be reached", signIn.Stdout);
        Assert.True(await node.WaitForLogAsync("could not be reached", TimeSpan.FromSeconds(10)), node.Log);

        // A public route is not affected (its upstream is down: 502 from the proxy, not from sign-in).
        var open = await ExternalProcess.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", node.CaPath,
            "--resolve", $"open.localhost.test:{port}:127.0.0.1", $"https://open.localhost.test:{port}/"], TimeSpan.FromSeconds(30));
        Assert.Equal("502", open.Stdout);
    }
}
