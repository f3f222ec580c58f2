using System.Net;

namespace Gateway.Config;

/// <summary>
/// The sign-in keys (<c>idp_*</c>, <c>authenticate_service_url</c>, <c>cookie_*</c>), flat at the
/// root as in Pomerium. None of them may be set without <c>idp_provider</c>, so a half-written
/// sign-in block cannot leave routes believing they are protected by something that is off.
/// </summary>
internal sealed partial class ConfigParser
{
    // A property, not a field: RootKeys (another part of this class) reads it while the type's
    // static fields are being initialised, in an order C# does not fix across files.
    internal static string[] SignInKeys =>
    [
        "idp_provider", "idp_provider_url", "idp_client_id", "idp_client_secret", "idp_client_secret_file", "idp_scopes",
        "authenticate_service_url", "cookie_secret", "cookie_secret_file", "cookie_name", "cookie_expire", "cookie_domain",
    ];

    private SignInConfig? SignIn(ObjectNode root)
    {
        var provider = String(root, "idp_provider");
        if (provider is null)
        {
            foreach (var key in SignInKeys.Where(k => Present(root, k) is not null))
                Problem(key, "set without idp_provider; sign-in is off until idp_provider names an identity provider");
            return null;
        }
        provider = provider.Trim();
        if (IdentityProviders.Refused.TryGetValue(provider, out var why))
        {
            Problem("idp_provider", $"\"{provider}\" is not supported: {why}");
            return null;
        }
        if (!IdentityProviders.DefaultIssuers.ContainsKey(provider) && !IdentityProviders.NeedUrl.Contains(provider))
        {
            Problem("idp_provider", $"unknown provider \"{provider}\"; expected one of {string.Join(", ", IdentityProviders.All)}");
            return null;
        }

        var providerUrl = ProviderUrl(root, provider);
        var clientId = String(root, "idp_client_id");
        if (string.IsNullOrWhiteSpace(clientId))
            Problem("idp_client_id", "required with idp_provider: the client id the identity provider gave this gateway");
        var clientSecret = SecretText(root, "idp_client_secret", "the client secret the identity provider gave this gateway");
        var scopes = Scopes(root);
        var authenticate = AbsoluteOrigin(root, "authenticate_service_url", required: true);
        var cookieSecret = CookieSecret(root);
        var cookieName = String(root, "cookie_name");
        if (cookieName is not null && !IsCookieName(cookieName))
            Problem("cookie_name", $"\"{cookieName}\" is not a cookie name (letters, digits and !#$%&'*+-.^_`|~ only)");
        var expire = PositiveDuration(root, "cookie_expire");
        var domain = String(root, "cookie_domain")?.Trim().TrimStart('.');
        if (domain is { Length: 0 })
            domain = null;
        if (domain is not null && authenticate is not null
            && !authenticate.Host.Equals(domain, StringComparison.OrdinalIgnoreCase)
            && !authenticate.Host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
            Problem("cookie_domain", $"\"{domain}\" does not contain the authenticate_service_url host {authenticate.Host}; the sign-in host could not set the cookie");

        if (providerUrl is null || clientId is null || clientSecret is null || authenticate is null || cookieSecret is null)
            return null;
        return new SignInConfig
        {
            Provider = provider,
            ProviderUrl = providerUrl,
            ClientId = clientId.Trim(),
            ClientSecret = clientSecret,
            Scopes = scopes,
            AuthenticateServiceUrl = authenticate,
            CookieSecret = cookieSecret,
            CookieName = cookieName ?? SignInConfig.DefaultCookieName,
            CookieExpire = expire ?? SignInConfig.DefaultCookieExpire,
            CookieDomain = domain?.ToLowerInvariant(),
        };
    }

    private Uri? ProviderUrl(ObjectNode root, string provider)
    {
        if (Present(root, "idp_provider_url") is null)
        {
            if (IdentityProviders.DefaultIssuers.TryGetValue(provider, out var issuer))
                return new Uri(issuer);
            Problem("idp_provider_url", $"required with idp_provider = \"{provider}\": the issuer URL, whose /.well-known/openid-configuration the node reads");
            return null;
        }
        var text = String(root, "idp_provider_url");
        if (text is null)
            return null;
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || (url.Scheme != "https" && url.Scheme != "http") || url.Host.Length == 0)
        {
            Problem("idp_provider_url", $"expected an https:// URL, got \"{text}\"");
            return null;
        }
        if (url.Scheme == "http" && !IsLoopback(url.Host))
        {
            Problem("idp_provider_url", $"\"{text}\" is plain http: tokens would cross the network in clear; http is accepted only for a provider on a loopback address");
            return null;
        }
        if (url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            Problem("idp_provider_url", "the issuer URL has no query or fragment");
            return null;
        }
        return url;
    }

    private IReadOnlyList<string> Scopes(ObjectNode root)
    {
        if (Present(root, "idp_scopes") is null)
            return SignInConfig.DefaultScopes;
        var scopes = new List<string>();
        foreach (var (node, text) in StringList(root, "idp_scopes"))
        {
            var scope = text.Trim();
            if (scope.Length == 0 || scope.Any(c => c <= ' ' || c == '"' || c == '\\' || c > '~'))
                Problem(node.Path, $"\"{text}\" is not a scope (printable ASCII without spaces, quotes or backslashes)");
            else if (!scopes.Contains(scope, StringComparer.Ordinal))
                scopes.Add(scope);
        }
        if (!scopes.Contains("openid", StringComparer.Ordinal))
            scopes.Insert(0, "openid");
        return scopes;
    }

    /// <summary>An absolute http(s) URL that is an origin (no path beyond "/", no query).</summary>
    private Uri? AbsoluteOrigin(ObjectNode root, string key, bool required)
    {
        var text = String(root, key);
        if (text is null)
        {
            if (required)
                Problem(key, "required with idp_provider: the URL every node serves sign-in on, e.g. \"https://authenticate.example.com\"");
            return null;
        }
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || (url.Scheme != "https" && url.Scheme != "http") || url.Host.Length == 0)
        {
            Problem(key, $"expected an https:// URL such as \"https://authenticate.example.com\", got \"{text}\"");
            return null;
        }
        if (url.AbsolutePath != "/" || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
        {
            Problem(key, $"expected an origin (scheme, host, optional port) with no path, query or user, got \"{text}\"");
            return null;
        }
        return new Uri(url.GetLeftPart(UriPartial.Authority) + "/");
    }

    /// <summary>The inline value or the file's trimmed contents: exactly one of <c>key</c> and <c>key_file</c>.</summary>
    private string? SecretText(ObjectNode root, string key, string what)
    {
        var inline = String(root, key);
        var file = String(root, key + "_file");
        if (inline is not null && file is not null)
        {
            Problem(key + "_file", $"both {key} and {key}_file are set; keep one");
            return null;
        }
        if (inline is null && file is null)
        {
            Problem(key, $"required with idp_provider ({key} or {key}_file): {what}");
            return null;
        }
        if (inline is not null)
        {
            if (inline.Trim().Length == 0)
            {
                Problem(key, "is empty");
                return null;
            }
            return inline.Trim();
        }
        var full = ResolvePath(file!);
        string text;
        try
        {
            text = File.ReadAllText(full).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Problem(key + "_file", $"cannot read {full}: {ex.Message}");
            return null;
        }
        if (text.Length == 0)
        {
            Problem(key + "_file", $"{full} is empty");
            return null;
        }
        if (OpenToOthers(full))
        {
            Problem(key + "_file", $"invalid secret file {full}: permissions are too open (chmod 600)");
            return null;
        }
        return text;
    }

    /// <summary>Base64 of exactly 32 bytes, as Pomerium requires.</summary>
    private byte[]? CookieSecret(ObjectNode root)
    {
        var text = SecretText(root, "cookie_secret", "32 random bytes in base64, the same on every node (head -c32 /dev/urandom | base64)");
        if (text is null)
            return null;
        var key = Present(root, "cookie_secret") is null ? "cookie_secret_file" : "cookie_secret";
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            Problem(key, "expected 32 random bytes in base64 (head -c32 /dev/urandom | base64)");
            return null;
        }
        if (bytes.Length != 32)
        {
            Problem(key, $"expected 32 bytes in base64, got {bytes.Length} bytes (head -c32 /dev/urandom | base64)");
            return null;
        }
        return bytes;
    }

    /// <summary>Runs after overrides: whether plain HTTP is acceptable depends on <c>insecure_server</c>.</summary>
    internal void CheckSignIn(GatewayConfig config)
    {
        if (config.SignIn is not { } signIn)
            return;
        if (signIn.AuthenticateServiceUrl.Scheme == "http" && !config.InsecureServer)
            Problem("authenticate_service_url", $"\"{signIn.AuthenticateServiceUrl}\" is plain http but the listener serves HTTPS; use https://, or set insecure_server = true");
    }

    private static bool IsCookieName(string name)
        => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));
}
