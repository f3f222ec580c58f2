using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Auth;

/// <summary>
/// What an authenticated user may ask of the connection protocol. A plain key permits
/// everything the server allows; a certificate permits only what its <c>permit-*</c> extensions
/// name (PROTOCOL.certkeys), and a <c>force-command</c> critical option is carried for the
/// application to honour or refuse. <see cref="Server.SshServer"/> enforces port forwarding and
/// pty for every application (<see cref="Server.PermissionCheckingHandler"/>).
/// </summary>
public sealed class SshUserPermissions
{
    public const string PermitPortForwarding = "permit-port-forwarding";
    public const string PermitPty = "permit-pty";
    public const string PermitAgentForwarding = "permit-agent-forwarding";
    public const string PermitX11Forwarding = "permit-X11-forwarding";

    private SshUserPermissions(bool portForwarding, bool pty, bool agentForwarding, bool x11Forwarding, string? forceCommand)
    {
        PortForwarding = portForwarding;
        Pty = pty;
        AgentForwarding = agentForwarding;
        X11Forwarding = x11Forwarding;
        ForceCommand = forceCommand;
    }

    /// <summary>A plain key: nothing is restricted by the credential itself.</summary>
    public static SshUserPermissions Unrestricted { get; } = new(true, true, true, true, null);

    /// <summary>tcpip-forward and direct-tcpip.</summary>
    public bool PortForwarding { get; }
    public bool Pty { get; }
    public bool AgentForwarding { get; }
    public bool X11Forwarding { get; }

    /// <summary>The certificate's <c>force-command</c>, or null.</summary>
    public string? ForceCommand { get; }

    public static SshUserPermissions For(SshCertificate? certificate)
    {
        if (certificate is null) return Unrestricted;
        certificate.CriticalOptions.TryGetValue(SshCertificateValidator.ForceCommandOption, out var forceCommand);
        return new SshUserPermissions(
            certificate.HasExtension(PermitPortForwarding),
            certificate.HasExtension(PermitPty),
            certificate.HasExtension(PermitAgentForwarding),
            certificate.HasExtension(PermitX11Forwarding),
            forceCommand);
    }
}
