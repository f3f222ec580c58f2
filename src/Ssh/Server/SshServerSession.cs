using System.Net;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Server;

/// <summary>One authenticated SSH connection accepted by an <see cref="SshServer"/>.</summary>
public sealed class SshServerSession
{
    internal SshServerSession(SshTransport transport, SshAuthenticatedUser user, SshConnection connection)
    {
        Transport = transport;
        User = user;
        Connection = connection;
    }

    public SshTransport Transport { get; }
    public SshAuthenticatedUser User { get; }
    public SshConnection Connection { get; }
    public EndPoint? RemoteEndPoint => Transport.RemoteEndPoint;

    /// <summary>Completes when the connection has ended.</summary>
    public Task Completion => Transport.Completion;

    public Task DisconnectAsync(DisconnectReason reason, string description) => Transport.DisconnectAsync(reason, description);
}
