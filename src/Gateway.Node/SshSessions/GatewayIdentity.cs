using Gateway.Ssh.Keys;

namespace Gateway.Node.SshSessions;

/// <summary>Who authenticated on an SSH connection, as the gateway's policies see them.</summary>
public sealed record GatewayIdentity(string Email, string? Name, IReadOnlyList<string> Groups, SshPublicKey Key, SshPublicKey? CertificateAuthority)
{
    /// <summary>How the user shows in status lines and logs.</summary>
    public override string ToString() => Email;
}
