using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gateway.Testing.SignIn;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// The sign-in harness itself, which the gateway's sign-in tests stand on: the real OpenID Connect
/// provider (oidc-provider) and headless Chromium driven by playwright-core. The test plays the
/// relying party: it builds the authorization request with PKCE, receives the code on its own
/// loopback callback and redeems it, so the provider's behaviour is checked without the gateway.
/// </summary>
public sealed class OidcHarnessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string ClientId = "harness-client";
    private const string ClientSecret = "harness-secret";
    private const string CallbackHost = "client.localhost.test";

    [Fact]
    public async Task Discovery_document_names_the_issuer_its_endpoints_and_S256()
    {
        await using var idp = await OidcTestProvider.StartAsync([Client("http://127.0.0.1:9/callback")]);
        using var http = new HttpClient { Timeout = Timeout };

        var document = JsonNode.Parse(await http.GetStringAsync(idp.Issuer + "/.well-known/openid-configuration"))!.AsObject();

        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", idp.Issuer);
        Assert.Equal(idp.Issuer, document["issuer"]!.GetValue<string>());
        foreach (var endpoint in new[] { "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint" })
            Assert.StartsWith(idp.Issuer + "/", document[endpoint]!.GetValue<string>());
        Assert.Contains("S256", document["code_challenge_methods_supported"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Contains("groups", document["scopes_supported"]!.AsArray().Select(m => m!.GetValue<string>()));
        var jwks = JsonNode.Parse(await http.GetStringAsync(idp.JwksUri))!["keys"]!.AsArray();
        Assert.Contains(jwks, k => k!["alg"]?.GetValue<string>() == "RS256");
    }

    [Fact]
    public async Task Authorization_code_with_PKCE_signs_alice_in_and_her_ID_token_carries_email_groups_and_department()
    {
        await using var callback = await OidcCallbackListener.StartAsync();
        var redirectUri = callback.RedirectUri(CallbackHost);
        await using var idp = await OidcTestProvider.StartAsync([Client(redirectUri)], idTokenLifetime: TimeSpan.FromMinutes(10));
        var request = AuthorizationRequest.Create(idp, redirectUri);

        var run = await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(request.Url)
            .Snapshot("login")
            .Login(OidcTestProvider.Users.Alice, OidcTestProvider.Users.Password)
            .WaitForUrl(redirectUri)
            .ExpectText("callback received"));
        run.EnsureOk();
        Assert.StartsWith(idp.Issuer + "/interaction/", run.Snapshots["login"].Url);
        Assert.Equal(200, run.Status);

        var query = await callback.WaitForCallbackAsync(Timeout);
        Assert.NotNull(query);
        Assert.Equal(request.State, query["state"]);
        Assert.Equal(idp.Issuer, query["iss"]);
        Assert.False(query.ContainsKey("error"), string.Join(", ", query));

        var tokens = await RedeemAsync(idp, query["code"], redirectUri, request.Pkce.Verifier);
        using var http = new HttpClient { Timeout = Timeout };
        var jwks = JsonNode.Parse(await http.GetStringAsync(idp.JwksUri))!.AsObject();
        var claims = IdTokenReader.VerifyAndRead(tokens["id_token"]!.GetValue<string>(), jwks);
        Assert.Equal(idp.Issuer, claims["iss"]!.GetValue<string>());
        Assert.Equal(ClientId, claims["aud"]!.GetValue<string>());
        Assert.Equal(request.Nonce, claims["nonce"]!.GetValue<string>());
        Assert.Equal("alice", claims["sub"]!.GetValue<string>());
        Assert.Equal(OidcTestProvider.Users.AliceEmail, claims["email"]!.GetValue<string>());
        Assert.True(claims["email_verified"]!.GetValue<bool>());
        Assert.Equal("Alice Example", claims["name"]!.GetValue<string>());
        Assert.Contains("engineering", claims["groups"]!.AsArray().Select(g => g!.GetValue<string>()));
        Assert.Equal("eng", claims["department"]!.GetValue<string>());
        Assert.Equal(600, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());

        using var userinfo = new HttpRequestMessage(HttpMethod.Get, idp.UserinfoEndpoint);
        userinfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens["access_token"]!.GetValue<string>());
        using var response = await http.SendAsync(userinfo);
        var info = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(OidcTestProvider.Users.AliceEmail, info["email"]!.GetValue<string>());
        Assert.Contains("admins", info["groups"]!.AsArray().Select(g => g!.GetValue<string>()));
    }

    [Fact]
    public async Task A_wrong_password_or_an_unknown_user_stays_on_the_login_page_with_an_error_and_sends_no_code()
    {
        await using var callback = await OidcCallbackListener.StartAsync();
        var redirectUri = callback.RedirectUri(CallbackHost);
        await using var idp = await OidcTestProvider.StartAsync([Client(redirectUri)]);
        var request = AuthorizationRequest.Create(idp, redirectUri);

        var run = await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(request.Url)
            .Login(OidcTestProvider.Users.Alice, "not-the-password")
            .ExpectText("Invalid login or password")
            .Snapshot("wrong password")
            .Login("mallory", OidcTestProvider.Users.Password)
            .ExpectText("Invalid login or password"));

        run.EnsureOk();
        var wrongPassword = run.Snapshots["wrong password"];
        Assert.StartsWith(idp.Issuer + "/interaction/", wrongPassword.Url);
        Assert.Equal(401, wrongPassword.Status);
        Assert.StartsWith(idp.Issuer + "/interaction/", run.FinalUrl);
        Assert.Equal(401, run.Status);
        Assert.Null(await callback.WaitForCallbackAsync(TimeSpan.FromSeconds(1)));
        Assert.Empty(callback.Received);
    }

    [Fact]
    public async Task A_browser_profile_keeps_the_provider_session_so_the_next_run_needs_no_login()
    {
        await using var callback = await OidcCallbackListener.StartAsync();
        var redirectUri = callback.RedirectUri(CallbackHost);
        await using var idp = await OidcTestProvider.StartAsync([Client(redirectUri)]);
        using var profile = new BrowserProfile();

        (await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(AuthorizationRequest.Create(idp, redirectUri).Url)
            .Login(OidcTestProvider.Users.Bob, OidcTestProvider.Users.Password)
            .WaitForUrl(redirectUri), profile)).EnsureOk();
        Assert.True(profile.HasState);
        Assert.NotNull(await callback.WaitForCallbackAsync(Timeout));

        var again = await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(AuthorizationRequest.Create(idp, redirectUri).Url)
            .WaitForUrl(redirectUri), profile);
        again.EnsureOk();
        Assert.Contains(again.Cookies, c => c.Name == "_session" && c.HttpOnly);
        var query = await callback.WaitForCallbackAsync(Timeout);
        Assert.NotNull(query);
        Assert.True(query.ContainsKey("code"), string.Join(", ", query));

        // Without the profile the same request asks for a login.
        var fresh = await HeadlessBrowser.RunAsync(new BrowserPlan()
            .Goto(AuthorizationRequest.Create(idp, redirectUri).Url)
            .ExpectText("Sign in"));
        fresh.EnsureOk();
        Assert.StartsWith(idp.Issuer + "/interaction/", fresh.FinalUrl);
    }

    [Fact]
    public async Task A_step_that_cannot_pass_fails_the_run_within_its_bound_and_names_the_step()
    {
        await using var idp = await OidcTestProvider.StartAsync([Client("http://127.0.0.1:9/callback")]);

        var started = DateTime.UtcNow;
        var run = await HeadlessBrowser.RunAsync(new BrowserPlan { StepTimeout = TimeSpan.FromSeconds(2) }
            .Goto(idp.Issuer + "/.well-known/openid-configuration")
            .ExpectText("text that is not there"));

        Assert.False(run.Ok);
        Assert.Contains("step 1", run.Error);
        Assert.Contains("text that is not there", run.Error);
        Assert.Equal(200, run.Status);
        Assert.Contains(idp.Issuer, run.Text);
        Assert.True(DateTime.UtcNow - started < Timeout, $"took {DateTime.UtcNow - started}");
        Assert.Throws<InvalidOperationException>(() => run.EnsureOk());
    }

    private static OidcTestClient Client(string redirectUri) => new(ClientId, ClientSecret, [redirectUri]);

    private static async Task<JsonObject> RedeemAsync(OidcTestProvider idp, string code, string redirectUri, string verifier)
    {
        using var http = new HttpClient { Timeout = Timeout };
        using var response = await http.PostAsync(idp.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = verifier,
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token endpoint: {(int)response.StatusCode} {body}\n{idp.Log}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private sealed record AuthorizationRequest(string Url, string State, string Nonce, PkcePair Pkce)
    {
        public static AuthorizationRequest Create(OidcTestProvider idp, string redirectUri)
        {
            var state = Base64Url.Encode(RandomNumberGenerator.GetBytes(16));
            var nonce = Base64Url.Encode(RandomNumberGenerator.GetBytes(16));
            var pkce = PkcePair.Create();
            var query = string.Join("&", new Dictionary<string, string>
            {
                ["client_id"] = ClientId,
                ["response_type"] = "code",
                ["scope"] = "openid email profile groups",
                ["redirect_uri"] = redirectUri,
                ["state"] = state,
                ["nonce"] = nonce,
                ["code_challenge"] = pkce.Challenge,
                ["code_challenge_method"] = "S256",
            }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
            return new AuthorizationRequest($"{idp.AuthorizationEndpoint}?{query}", state, nonce, pkce);
        }
    }
}
