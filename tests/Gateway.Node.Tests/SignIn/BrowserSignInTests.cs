using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;
using Gateway.Testing.SignIn;
using Users = Gateway.Testing.SignIn.OidcTestProvider.Users;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// Browser sign-in end to end: a real node, a real OpenID Connect provider (oidc-provider), and
/// headless Chromium. The routes' policies select by group, email domain and claim; the upstream
/// echoes the request head it received, so the identity headers are seen as the upstream sees them.
/// </summary>
public sealed class BrowserSignInTests : SignInScenario
{
    private const string GroupHost = "app.localhost.test";
    private const string DomainHost = "domain.localhost.test";
    private const string ClaimHost = "claim.localhost.test";
    private const string PublicHost = "public.localhost.test";

    protected override string Routes(string upstreamUrl) => $$"""
            routes = [
              { from = "https://{{GroupHost}}", to = "{{upstreamUrl}}", pass_identity_headers = true,
                policy { allow { or = [{ groups { has = "engineering" } }] } } }
              { from = "https://{{DomainHost}}", to = "{{upstreamUrl}}",
                policy { allow { or = [{ domain { is = "example.com" } }] } } }
              { from = "https://{{ClaimHost}}", to = "{{upstreamUrl}}",
                policy { allow { or = [{ "claim/department" { has = "sales" } }] } } }
              { from = "https://{{PublicHost}}", to = "{{upstreamUrl}}", allow_public_unauthenticated_access = true }
            ]
        """;

    private string Url(string host, string path = "/") => SignInGateway.Url(Gateway.Node, host, path);

    private async Task<BrowserResult> SignInAsync(string host, string user, BrowserProfile profile, string path = "/hello")
    {
        var run = await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(Url(host, path))
            .Login(user, Users.Password)
            .WaitForUrl(host)
            .Snapshot("route"), profile);
        Assert.True(run.Ok, run + "\n" + Gateway.Logs());
        return run;
    }

    [Fact]
    public async Task Unauthenticated_get_is_sent_to_the_authenticate_host_and_other_methods_get_401()
    {
        var get = await ExternalProcess.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "--cacert", Gateway.Node.CaPath,
            "--resolve", $"{GroupHost}:{Gateway.Node.HttpsPort}:127.0.0.1", Url(GroupHost, "/a?b=c")], TimeSpan.FromSeconds(30));
        Assert.StartsWith("302 " + Gateway.AuthenticateUrl + ".pomerium/sign_in?pomerium_redirect_uri=", get.Stdout);
        Assert.Contains(Uri.EscapeDataString(Url(GroupHost, "/a?b=c")), get.Stdout);

        var post = await ExternalProcess.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "--cacert", Gateway.Node.CaPath,
            "--resolve", $"{GroupHost}:{Gateway.Node.HttpsPort}:127.0.0.1", Url(GroupHost)], TimeSpan.FromSeconds(30));
        Assert.Equal("401", post.Stdout);

        var open = await ExternalProcess.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", Gateway.Node.CaPath,
            "--resolve", $"{PublicHost}:{Gateway.Node.HttpsPort}:127.0.0.1", Url(PublicHost)], TimeSpan.FromSeconds(30));
        Assert.Equal("200", open.Stdout);
    }

    /// <summary>A visit by a browser that has signed in already (no login form expected).</summary>
    private async Task<BrowserResult> VisitAsync(string host, BrowserProfile profile)
    {
        var run = await HeadlessBrowser.RunAsync(new BrowserPlan().Goto(Url(host)).WaitForUrl(host).Snapshot("route"), profile);
        Assert.True(run.Ok, run + "\n" + Gateway.Logs());
        return run;
    }

    [Fact]
    public async Task Alice_signs_in_reaches_the_group_route_with_identity_headers_whose_assertion_verifies()
    {
        using var profile = new BrowserProfile();
        var run = await SignInAsync(GroupHost, Users.Alice, profile);
        var seen = run.Snapshots["route"];
        Assert.Equal(200, seen.Status);
        Assert.Contains("GET /hello HTTP/1.1", seen.Text);
        Assert.Contains("X-Pomerium-Claim-Email: alice@example.com", seen.Text);
        Assert.Contains("X-Pomerium-Claim-Groups: engineering,admins", seen.Text);
        Assert.Contains("X-Pomerium-Claim-User: alice", seen.Text);
        var assertion = UpstreamAssertion.In(seen);

        // The assertion verifies against a key in the JWKS document, and says who and for which host.
        var jwks = await ExternalProcess.RunAsync("curl", ["-sS", "--cacert", Gateway.Node.CaPath, "--resolve", $"{GroupHost}:{Gateway.Node.HttpsPort}:127.0.0.1",
            Url(GroupHost, "/.well-known/pomerium/jwks.json")], TimeSpan.FromSeconds(30));
        var claims = UpstreamAssertion.VerifyEs256(assertion, jwks.Stdout);
        Assert.Equal("alice@example.com", claims.GetProperty("email").GetString());
        Assert.Equal("alice", claims.GetProperty("sub").GetString());
        Assert.Equal(GroupHost, claims.GetProperty("aud").GetString());
        Assert.Equal(SignInGateway.AuthenticateHost, claims.GetProperty("iss").GetString());

        // The session cookie is HttpOnly and Secure on the route's host.
        Assert.Contains(run.Cookies, c => c.Name == "_gateway" && c.Domain == GroupHost && c.HttpOnly && c.Secure);

        // A route without pass_identity_headers gets none, not even ones the browser could forge.
        var other = await HeadlessBrowser.RunAsync(new BrowserPlan().Goto(Url(DomainHost, "/x")).WaitForUrl(DomainHost).Snapshot("route"), profile);
        Assert.True(other.Ok, other.ToString());
        Assert.Equal(200, other.Snapshots["route"].Status);
        Assert.DoesNotContain("X-Pomerium-", other.Snapshots["route"].Text);
    }

    [Fact]
    public async Task Policies_by_group_domain_and_claim_admit_and_refuse_the_right_people()
    {
        using var bob = new BrowserProfile();
        var bobGroup = await SignInAsync(GroupHost, Users.Bob, bob);
        Assert.Equal(403, bobGroup.Snapshots["route"].Status);
        Assert.Contains("bob@example.org is not allowed", bobGroup.Snapshots["route"].Text);
        // Bob's session now exists: the next routes need no second login.
        var bobClaim = await VisitAsync(ClaimHost, bob);
        Assert.Equal(200, bobClaim.Snapshots["route"].Status);
        var bobDomain = await VisitAsync(DomainHost, bob);
        Assert.Equal(403, bobDomain.Snapshots["route"].Status);

        using var carol = new BrowserProfile();
        Assert.Equal(200, (await SignInAsync(DomainHost, Users.Carol, carol)).Snapshots["route"].Status);
        var carolGroup = await VisitAsync(GroupHost, carol);
        Assert.Equal(403, carolGroup.Snapshots["route"].Status);
        var carolClaim = await VisitAsync(ClaimHost, carol);
        Assert.Equal(403, carolClaim.Snapshots["route"].Status);
    }

    [Fact]
    public async Task Sign_out_ends_the_session_for_every_host_and_a_forged_or_foreign_redirect_is_refused()
    {
        using var profile = new BrowserProfile();
        var first = UpstreamAssertion.SessionId(await SignInAsync(GroupHost, Users.Alice, profile));

        var signOut = await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(Gateway.AuthenticateUrl + ".pomerium/sign_out").Click("#sign-out").ExpectText("You are signed out").Snapshot("out"), profile);
        Assert.True(signOut.Ok, signOut + "\n" + Gateway.Logs());

        // The route host's own cookie is still in the browser, but its session is gone: the next
        // visit goes through sign-in again (the provider remembers Alice, so no form) and comes
        // back with a new session.
        var again = await VisitAsync(GroupHost, profile);
        var second = UpstreamAssertion.SessionId(again);
        Assert.NotEqual(first, second);
        Assert.Contains("ended by sign-out", Gateway.Node.Log);

        // Not an open redirect: a host that is no route is refused before anything else.
        var foreign = await ExternalProcess.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", Gateway.Node.CaPath,
            "--resolve", $"{SignInGateway.AuthenticateHost}:{Gateway.Node.HttpsPort}:127.0.0.1",
            Gateway.AuthenticateUrl + ".pomerium/sign_in?pomerium_redirect_uri=" + Uri.EscapeDataString("https://evil.example.net/")], TimeSpan.FromSeconds(30));
        Assert.Equal("400", foreign.Stdout);
        // A hand-off token that is not the gateway's is refused on the route's host.
        var forged = await ExternalProcess.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", Gateway.Node.CaPath,
            "--resolve", $"{GroupHost}:{Gateway.Node.HttpsPort}:127.0.0.1",
            Url(GroupHost, "/.pomerium/callback?pomerium_redirect_uri=" + Uri.EscapeDataString(Url(GroupHost)) + "&pomerium_token=abc")], TimeSpan.FromSeconds(30));
        Assert.Equal("400", forged.Stdout);
    }
}
