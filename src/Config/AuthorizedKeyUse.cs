using Gateway.Ssh.Keys;

namespace Gateway.Config;

/// <summary>
/// What a config key line is for, and which readable lines config refuses for that use. The line
/// format is the SSH library's (<see cref="AuthorizedKey"/>); this decides only what the gateway
/// can honour: it verifies no security-key (<c>sk-*</c>) signatures and enforces no per-key
/// authorized_keys options, so a line relying on either would silently mean something else.
/// </summary>
internal enum AuthorizedKeyUse
{
    /// <summary><c>users[].ssh_keys</c>: a key the user signs in with.</summary>
    UserKey,

    /// <summary><c>trusted_user_ca_keys</c>: a CA whose user certificates identify users.</summary>
    CertificateAuthority,
}

internal static class KeyLineRules
{
    /// <summary>Why config refuses <paramref name="key"/> for <paramref name="use"/>, or null when it is accepted.</summary>
    public static string? Refusal(AuthorizedKey key, AuthorizedKeyUse use)
    {
        if (key.IsSecurityKey)
            return $"{key.KeyType} is a security key (FIDO) type; the gateway cannot verify its signatures, so it could never sign in";
        if (key.IsCertificate)
            return use == AuthorizedKeyUse.UserKey
                ? "a certificate is not a user key: add the CA that signed it to trusted_user_ca_keys"
                : "a CA key must be a plain public key, not a certificate";
        var unenforced = key.Options
            .Where(o => use == AuthorizedKeyUse.UserKey || o.Name != AuthorizedKeyOption.CertAuthority)
            .ToList();
        if (unenforced.Count == 0)
            return null;
        var names = string.Join(", ", unenforced.Select(o => o.Name));
        return use == AuthorizedKeyUse.UserKey
            ? $"authorized_keys options ({names}) are not enforced by the gateway; remove them (a route's ssh_policy can limit source_ip)"
            : $"only the cert-authority option is allowed on a CA key; {names} would not be enforced";
    }
}
