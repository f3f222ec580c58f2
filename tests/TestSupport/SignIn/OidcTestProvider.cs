using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Testing.SignIn;

/// <summary>
/// A real OpenID Connect provider (the oidc-provider package, <c>tests/signin/idp.mjs</c>) on
/// loopback, with fixed users (<see cref="Users"/>) and the clients a test registers. Issuer
/// <c>http://127.0.0.1:PORT</c>; the login form has inputs <c>login</c> and <c>password</c>, a wrong
/// password or unknown user gets it again with "Invalid login or password"; consent is automatic.
/// The process is killed on dispose.
/// </summary>
/// <remarks>
/// The provider binds port 0 itself and reports the port it got, so there is no window in which
/// another program could take it (unlike a port chosen first and handed over).
/// </remarks>
public sealed class OidcTestProvider : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The provider's fixed users; every one signs in with <see cref="Password"/>.</summary>
    public static class Users
    {
        public const string Password = "password";

        /// <summary>alice@example.com (verified), "Alice Example", groups engineering and admins, department eng.</summary>
        public const string Alice = "alice";
        public const string AliceEmail = "alice@example.com";

        /// <summary>bob@example.org (not verified), "Bob Other", group sales, department sales.</summary>
        public const string Bob = "bob";
        public const string BobEmail = "bob@example.org";

        /// <summary>carol@example.com (not verified), no name, no groups, department eng.</summary>
        public const string Carol = "carol";
        public const string CarolEmail = "carol@example.com";
    }

    private readonly ExternalProcess _process;

    private OidcTestProvider(ExternalProcess process, string issuer, JsonObject discovery)
    {
        _process = process;
        Issuer = issuer;
        Discovery = discovery;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, without a trailing slash.</summary>
    public string Issuer { get; }

    /// <summary>The provider's <c>/.well-known/openid-configuration</c> as served at start.</summary>
    public JsonObject Discovery { get; }

    public string AuthorizationEndpoint => Endpoint("authorization_endpoint");
    public string TokenEndpoint => Endpoint("token_endpoint");
    public string UserinfoEndpoint => Endpoint("userinfo_endpoint");
    public string JwksUri => Endpoint("jwks_uri");
    public string EndSessionEndpoint => Endpoint("end_session_endpoint");

    /// <summary>What the provider wrote so far (stdout then stderr), for failure messages.</summary>
    public string Log => _process.Stdout + _process.Stderr;

    public static async Task<OidcTestProvider> StartAsync(IEnumerable<OidcTestClient> clients, TimeSpan? idTokenLifetime = null, CancellationToken ct = default)
    {
        var script = SignInHarness.Script("idp.mjs");
        var ttl = idTokenLifetime ?? TimeSpan.FromHours(1);
        if (ttl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(idTokenLifetime), ttl, "must be positive");
        var clientsJson = new JsonArray(clients.Select(c => (JsonNode)new JsonObject
        {
            ["client_id"] = c.ClientId,
            ["client_secret"] = c.ClientSecret,
            ["redirect_uris"] = new JsonArray(c.RedirectUris.Select(u => (JsonNode)JsonValue.Create(u)!).ToArray()),
            ["post_logout_redirect_uris"] = new JsonArray(c.PostLogoutRedirectUris.Select(u => (JsonNode)JsonValue.Create(u)!).ToArray()),
            ["token_endpoint_auth_method"] = c.TokenEndpointAuthMethod,
        }).ToArray());
        var environment = new Dictionary<string, string>
        {
            ["IDP_PORT"] = "0",
            ["IDP_CLIENTS"] = clientsJson.ToJsonString(),
            ["IDP_ID_TOKEN_TTL"] = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
        };
        var process = ExternalProcess.Start("node", [script], workingDirectory: SignInHarness.Directory, environment: environment);
        try
        {
            var issuer = await WaitForIssuerAsync(process, ct);
            var discovery = await WaitForDiscoveryAsync(process, issuer, ct);
            return new OidcTestProvider(process, issuer, discovery);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private string Endpoint(string name) =>
        Discovery[name]?.GetValue<string>() ?? throw new InvalidOperationException($"the discovery document has no {name}");

    private static async Task<string> WaitForIssuerAsync(ExternalProcess process, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var line = process.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("listening ", StringComparison.Ordinal));
            if (line is not null) return line["listening ".Length..].Trim();
            if (process.HasExited)
                throw Failure(process, $"the OpenID Connect provider exited with code {process.ExitCode} before listening");
            if (DateTime.UtcNow > deadline)
                throw Failure(process, $"the OpenID Connect provider did not print \"listening\" within {StartTimeout}");
            await Task.Delay(50, ct);
        }
    }

    private static async Task<JsonObject> WaitForDiscoveryAsync(ExternalProcess process, string issuer, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string? lastProblem = null;
        while (DateTime.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
                throw Failure(process, $"the OpenID Connect provider exited with code {process.ExitCode}");
            try
            {
                using var response = await http.GetAsync(issuer + "/.well-known/openid-configuration", ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                if (response.IsSuccessStatusCode && JsonNode.Parse(body) is JsonObject document
                    && document["issuer"]?.GetValue<string>() == issuer)
                    return document;
                lastProblem = $"{(int)response.StatusCode}: {body}";
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                lastProblem = e.Message;
            }
            await Task.Delay(100, ct);
        }
        throw Failure(process, $"no discovery document for issuer {issuer} within {StartTimeout} (last: {lastProblem})");
    }

    private static InvalidOperationException Failure(ExternalProcess process, string message) =>
        new($"{message}\nstdout: {process.Stdout}\nstderr: {process.Stderr}");

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
