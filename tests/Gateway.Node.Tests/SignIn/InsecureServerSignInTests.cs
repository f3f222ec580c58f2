using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;
using Gateway.Testing.SignIn;
using Users = Gateway.Testing.SignIn.OidcTestProvider.Users;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// Sign-in on a plain-HTTP listener (<c>insecure_server</c>, e.g. behind a TLS-terminating load
/// balancer on the same host): an http authenticate URL is accepted, and the browser's sign-in
/// works with cookies that are not marked Secure (a browser would drop Secure cookies over http).
/// </summary>
public sealed class InsecureServerSignInTests : SignInScenario
{
    private const string AppHost = "app.localhost.test";

    protected override string Routes(string upstreamUrl) => $$"""
            routes = [
              { from = "https://{{AppHost}}", to = "{{upstreamUrl}}", policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
            ]
        """;

    protected override bool InsecureServer => true;

    [Fact]
    public async Task A_browser_signs_in_over_plain_http()
    {
        using var profile = new BrowserProfile();
        var url = SignInGateway.Url(Gateway.Node, AppHost, "/over-http", scheme: "http");
        var run = await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(url).Login(Users.Alice, Users.Password).WaitForUrl(AppHost).Snapshot("route"), profile);
        Assert.True(run.Ok, run + "\n" + Gateway.Logs());
        Assert.Equal(200, run.Snapshots["route"].Status);
        Assert.Contains("GET /over-http HTTP/1.1", run.Snapshots["route"].Text);
        Assert.StartsWith("http://", run.FinalUrl, StringComparison.Ordinal);
        Assert.Contains(run.Cookies, c => c.Name == "_gateway" && c.Domain == AppHost && c.HttpOnly && !c.Secure);
    }
}
