using Gateway.Ssh.Keys;

namespace Gateway.Node.SshSessions;

/// <summary>Who authenticated on an SSH connection, as the gateway's policies see them.</summary>
/// <param name="Email">the configured user's email; for a sign-in, the session's email (its subject when the provider gave none)</param>
/// <param name="Key">the user's key (for a certificate, the certified key); for a sign-in, the key the sign-in is bound to</param>
/// <param name="Certificate">the certificate the user authenticated with, if any (shown by <c>whoami</c>)</param>
public sealed record GatewayIdentity(string Email, string? Name, IReadOnlyList<string> Groups, SshPublicKey Key, SshPublicKey? CertificateAuthority, SshCertificate? Certificate = null)
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoClaims = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The sign-in session this connection belongs to; null for a configured user (key or certificate).</summary>
    public string? SessionId { get; init; }

    /// <summary>The identity provider's <c>sub</c>; null for a configured user.</summary>
    public string? Subject { get; init; }

    /// <summary>The session's claims (ID token and userinfo), each with its values; empty for a configured user.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Claims { get; init; } = NoClaims;

    /// <summary>When the sign-in ends (the session's expiry); null for a configured user, whose key is checked per connection.</summary>
    public DateTimeOffset? SignInExpiresAt { get; init; }

    /// <summary>What the <c>user</c> criterion matches: the subject of a sign-in, the email of a configured user.</summary>
    public string UserId => Subject ?? Email;

    /// <summary>How the user shows in status lines and logs.</summary>
    public override string ToString() => Email;
}
