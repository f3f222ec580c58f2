using Gateway.Ssh.Keys;

namespace Gateway.Node.SshSessions;

/// <summary>Who authenticated on an SSH connection, as the gateway's policies see them.</summary>
/// <param name="Key">the user's key (for a certificate, the certified key)</param>
/// <param name="Certificate">the certificate the user authenticated with, if any (shown by <c>whoami</c>)</param>
public sealed record GatewayIdentity(string Email, string? Name, IReadOnlyList<string> Groups, SshPublicKey Key, SshPublicKey? CertificateAuthority, SshCertificate? Certificate = null)
{
    /// <summary>How the user shows in status lines and logs.</summary>
    public override string ToString() => Email;
}
