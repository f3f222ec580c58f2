using System.Security.Claims;
using System.Security.Cryptography;
using Gateway.Contracts.SignIn;

namespace Gateway.Node.SignIn;

/// <summary>
/// Turns what the identity provider said (the ID token's and userinfo's claims) into a
/// <see cref="SignInSession"/>. Claims are kept as the provider named them (no mapping to
/// Microsoft's long claim URIs), so <c>claim/&lt;name&gt;</c> in a policy matches the provider's name.
/// </summary>
public static class SessionFromClaims
{
    /// <summary>Protocol claims that say nothing about the person; left out of the session's claims.</summary>
    private static readonly HashSet<string> ProtocolClaims = new(StringComparer.Ordinal)
    {
        "nonce", "at_hash", "c_hash", "auth_time", "iat", "exp", "nbf", "aud", "azp", "sid", "s_hash", "jti",
    };

    public static SignInSession Create(IEnumerable<Claim> claims, DateTimeOffset now, TimeSpan lifetime)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var claim in claims)
        {
            if (ProtocolClaims.Contains(claim.Type))
                continue;
            if (!values.TryGetValue(claim.Type, out var list))
                values[claim.Type] = list = [];
            if (!list.Contains(claim.Value, StringComparer.Ordinal))
                list.Add(claim.Value);
        }
        string? First(string type) => values.TryGetValue(type, out var list) && list.Count > 0 ? list[0] : null;
        var subject = First("sub") ?? throw new InvalidOperationException("the identity provider's token has no sub claim");
        return new SignInSession(
            Id: NewId(),
            Subject: subject,
            Email: First("email"),
            Name: First("name") ?? First("preferred_username"),
            Groups: values.TryGetValue("groups", out var groups) ? groups : [],
            Claims: values.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value, StringComparer.Ordinal),
            IssuedAt: now,
            ExpiresAt: now + lifetime);
    }

    /// <summary>32 random bytes, URL-safe base64: guessing one is not a way in.</summary>
    public static string NewId()
        => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
