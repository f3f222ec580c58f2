using Gateway.Ssh.Keys;

namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// What <c>whoami</c> reports: the identity as this connection has it, how it authenticated, and
/// when its sign-in ends. Its JSON field names (snake_case) are a documented contract for scripts.
/// </summary>
/// <param name="AuthMethod"><c>publickey</c> (a key listed under the user) or <c>certificate</c> (an OpenSSH certificate from a trusted CA)</param>
/// <param name="KeyType">as OpenSSH prints it: <c>ED25519</c>, or <c>ED25519-CERT</c> for a certificate</param>
/// <param name="KeyFingerprint"><c>SHA256:</c>... of the key (of the certified key for a certificate), as <c>ssh-keygen -l</c> prints it</param>
/// <param name="ExpiresAt">when the sign-in ends; null: there is no sign-in to expire (keys are checked on each connection)</param>
/// <param name="Subject">the identity provider's <c>sub</c> for a sign-in (what the <c>user</c> criterion matches); null for a configured user</param>
/// <param name="SignInSessionId">the sign-in session the key is bound to (what <c>logout</c> ends); null for a configured user</param>
/// <param name="Claims">the sign-in's claims by name, sorted, each with its values; null for a configured user</param>
public sealed record WhoamiReport(
    string Email,
    string? Name,
    IReadOnlyList<string> Groups,
    string AuthMethod,
    string KeyType,
    string KeyFingerprint,
    CertificateReport? Certificate,
    string SshUsername,
    string SessionId,
    string ClientAddress,
    DateTimeOffset? ExpiresAt,
    string? Subject = null,
    string? SignInSessionId = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Claims = null)
{
    public const string PublicKey = "publickey";
    public const string CertificateMethod = "certificate";

    public static WhoamiReport Of(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var identity = context.Identity;
        var certificate = identity.Certificate is { } cert ? CertificateReport.Of(cert) : null;
        return new WhoamiReport(identity.Email, identity.Name, identity.Groups,
            certificate is null ? PublicKey : CertificateMethod,
            KeyTypeLabel.Of(identity.Key, certificate is not null),
            SshKeys.Fingerprint(identity.Key),
            certificate, context.SshUsername, context.SessionId, context.ClientAddress, identity.SignInExpiresAt,
            identity.Subject, identity.SessionId,
            identity.SessionId is null ? null : new SortedDictionary<string, IReadOnlyList<string>>(identity.Claims.ToDictionary(), StringComparer.Ordinal));
    }
}

/// <summary>The certificate a connection authenticated with, as <c>ssh-keygen -L</c> names its parts.</summary>
/// <param name="ValidBefore">null: valid forever. Checked when the connection authenticates, as sshd does; a connection outlives it.</param>
public sealed record CertificateReport(string KeyId, ulong Serial, IReadOnlyList<string> Principals, DateTimeOffset? ValidAfter, DateTimeOffset? ValidBefore, string CaKeyType, string CaFingerprint)
{
    public static CertificateReport Of(SshCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new CertificateReport(certificate.KeyId, certificate.Serial, certificate.Principals, certificate.ValidAfter, certificate.ValidBefore,
            KeyTypeLabel.Of(certificate.SignatureKey), SshKeys.Fingerprint(certificate.SignatureKey));
    }
}
