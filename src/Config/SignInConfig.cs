namespace Gateway.Config;

/// <summary>
/// Sign-in through an OpenID Connect identity provider (Pomerium's option names). Null in
/// <see cref="GatewayConfig.SignIn"/> when no <c>idp_provider</c> is set: then nothing about
/// sign-in exists and routes that are not public answer 401.
/// </summary>
public sealed record SignInConfig
{
    /// <summary><c>idp_provider</c>: <c>oidc</c>, or a named OpenID Connect provider (<see cref="IdentityProviders"/>).</summary>
    public required string Provider { get; init; }

    /// <summary><c>idp_provider_url</c>: the issuer; its <c>/.well-known/openid-configuration</c> is read at start.</summary>
    public required Uri ProviderUrl { get; init; }

    /// <summary><c>idp_client_id</c>.</summary>
    public required string ClientId { get; init; }

    /// <summary><c>idp_client_secret</c>, or the trimmed contents of <c>idp_client_secret_file</c>.</summary>
    public required string ClientSecret { get; init; }

    /// <summary><c>idp_scopes</c>: asked of the provider; always includes <c>openid</c>.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = DefaultScopes;

    /// <summary>
    /// <c>authenticate_service_url</c>: the origin every node serves the sign-in pages and the
    /// OAuth callback (<c>/oauth2/callback</c>) on, through its own HTTPS (or, with
    /// <c>insecure_server</c>, HTTP) listener.
    /// </summary>
    public required Uri AuthenticateServiceUrl { get; init; }

    /// <summary><c>cookie_secret</c> (or <c>_file</c>): 32 random bytes shared by every node; it protects the
    /// cluster's Data Protection key ring and signs the hand-off from the sign-in host to a route's host.</summary>
    public required byte[] CookieSecret { get; init; }

    /// <summary><c>cookie_name</c>: the session cookie's name.</summary>
    public string CookieName { get; init; } = DefaultCookieName;

    /// <summary><c>cookie_expire</c>: a session's lifetime (and its cookie's), from sign-in.</summary>
    public TimeSpan CookieExpire { get; init; } = DefaultCookieExpire;

    /// <summary><c>cookie_domain</c>: the cookie's Domain attribute; null: host-only cookies, one per route host.</summary>
    public string? CookieDomain { get; init; }

    public const string DefaultCookieName = "_gateway";

    public static readonly TimeSpan DefaultCookieExpire = TimeSpan.FromHours(14);

    public static readonly IReadOnlyList<string> DefaultScopes = ["openid", "profile", "email"];

    /// <summary>The path of the OAuth 2.0 redirect on <see cref="AuthenticateServiceUrl"/> (Pomerium's).</summary>
    public const string CallbackPath = "/oauth2/callback";

    /// <summary>The redirect URI to register with the identity provider.</summary>
    public Uri CallbackUrl => new(AuthenticateServiceUrl, CallbackPath);
}
