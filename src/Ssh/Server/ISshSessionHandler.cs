using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;

namespace Gateway.Ssh.Server;

/// <summary>What an application plugs into an <see cref="SshServer"/>.</summary>
public interface ISshSessionHandler
{
    /// <summary>
    /// Called once a connection has authenticated, before any connection-layer message is read:
    /// returns the handler for its global requests, channel opens and channel requests.
    /// </summary>
    ISshConnectionHandler CreateConnectionHandler(SshAuthenticatedUser user, Transport.SshTransport transport);

    /// <summary>Called when the authenticated session is ready; the task may run for the session's lifetime.</summary>
    Task OnSessionStartedAsync(SshServerSession session, CancellationToken cancellationToken);
}
