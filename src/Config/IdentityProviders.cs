namespace Gateway.Config;

/// <summary>
/// The <c>idp_provider</c> names accepted. Every one is spoken to as OpenID Connect (discovery,
/// authorization code with PKCE); the names exist so that Pomerium configs carry over and so that
/// providers with one well-known issuer need no <c>idp_provider_url</c>.
/// </summary>
public static class IdentityProviders
{
    /// <summary>Names with a fixed issuer, used when <c>idp_provider_url</c> is absent.</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultIssuers = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["google"] = "https://accounts.google.com",
        ["gitlab"] = "https://gitlab.com",
    };

    /// <summary>Names that need <c>idp_provider_url</c> (their issuer is per tenant or per deployment).</summary>
    public static readonly IReadOnlyList<string> NeedUrl = ["oidc", "azure", "auth0", "okta", "onelogin", "ping", "cognito", "keycloak", "dex"];

    /// <summary>Pomerium names that are not OpenID Connect providers, with why they are refused.</summary>
    public static readonly IReadOnlyDictionary<string, string> Refused = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["github"] = "GitHub's OAuth apps are not OpenID Connect; put an OIDC provider (Dex, Keycloak) in front of GitHub and use idp_provider = \"oidc\"",
        ["apple"] = "Sign in with Apple posts its callback as a form with its own client-secret JWT, which this gateway does not implement",
    };

    public static IEnumerable<string> All => DefaultIssuers.Keys.Concat(NeedUrl).Order(StringComparer.Ordinal);
}
