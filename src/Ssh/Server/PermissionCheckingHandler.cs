using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;

namespace Gateway.Ssh.Server;

/// <summary>
/// Puts the authenticated user's <see cref="SshUserPermissions"/> in front of the application's
/// handler, as sshd applies a certificate's <c>permit-*</c> extensions whatever its
/// configuration allows: without <c>permit-port-forwarding</c> no tcpip-forward or direct-tcpip,
/// without <c>permit-pty</c> no pty-req, and likewise for agent and X11 forwarding. What is
/// permitted is still the application's to decide.
/// </summary>
internal sealed class PermissionCheckingHandler(ISshConnectionHandler inner, SshUserPermissions permissions) : ISshConnectionHandler
{
    public const string ForwardingRefused = "port forwarding is not permitted by your certificate (no permit-port-forwarding)";

    public static ISshConnectionHandler Wrap(ISshConnectionHandler inner, SshUserPermissions permissions) =>
        ReferenceEquals(permissions, SshUserPermissions.Unrestricted) ? inner : new PermissionCheckingHandler(inner, permissions);

    public ValueTask<RemoteForwardDecision> OnRemoteForwardRequestAsync(RemoteForwardRequest request) =>
        permissions.PortForwarding
            ? inner.OnRemoteForwardRequestAsync(request)
            : ValueTask.FromResult(RemoteForwardDecision.Refuse(ForwardingRefused));

    public ValueTask<bool> OnCancelRemoteForwardAsync(string bindAddress, uint port) => inner.OnCancelRemoteForwardAsync(bindAddress, port);

    public ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request) =>
        request.Type == ChannelOpenRequest.DirectTcpIp && !permissions.PortForwarding
            ? ValueTask.FromResult(ChannelOpenDecision.Refuse(ChannelOpenFailureReason.AdministrativelyProhibited, ForwardingRefused))
            : inner.OnChannelOpenAsync(request);

    public void OnChannelOpened(SshChannel channel) => inner.OnChannelOpened(channel);

    public ValueTask<bool> OnChannelRequestAsync(SshChannel channel, ChannelRequest request)
    {
        var permitted = request switch
        {
            PtyRequest => permissions.Pty,
            { Type: "auth-agent-req@openssh.com" } => permissions.AgentForwarding,
            { Type: "x11-req" } => permissions.X11Forwarding,
            _ => true,
        };
        return permitted ? inner.OnChannelRequestAsync(channel, request) : ValueTask.FromResult(false);
    }

    public ValueTask<(bool Success, byte[] Data)> OnGlobalRequestAsync(string name, ReadOnlyMemory<byte> data) =>
        inner.OnGlobalRequestAsync(name, data);
}
