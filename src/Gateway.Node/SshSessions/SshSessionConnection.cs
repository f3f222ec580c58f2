using Akka.Actor;
using Gateway.Actors.Sessions;
using Gateway.Contracts.Tunnels;
using Gateway.Node.Tunnels;
using Gateway.Ssh;
using Gateway.Ssh.Server;

namespace Gateway.Node.SshSessions;

/// <summary>
/// An authenticated SSH connection as its <see cref="SshSessionActor"/> owns it: the actor lists it
/// in the <see cref="LocalTunnelRegistry"/> (where requests find it to open channels) for as long as
/// the actor lives, with the endpoints the actor says it serves, and closes it when the actor stops.
/// </summary>
public sealed class SshSessionConnection : ISessionConnection
{
    private readonly SshServerSession _session;
    private readonly string _sessionId;
    private readonly GatewayIdentity _identity;
    private readonly SessionStatusFeed _status;
    private readonly LocalTunnelRegistry _registry;
    private LocalTunnel? _tunnel;

    public SshSessionConnection(SshServerSession session, string sessionId, GatewayIdentity identity, SessionStatusFeed status, LocalTunnelRegistry registry)
    {
        _session = session;
        _sessionId = sessionId;
        _identity = identity;
        _status = status;
        _registry = registry;
    }

    public Task Completion => _session.Completion;

    public void Attach(IActorRef session)
    {
        var tunnel = new LocalTunnel(_sessionId, _identity, _session.Connection, session, _status);
        Volatile.Write(ref _tunnel, tunnel);
        _registry.Add(tunnel);
    }

    public void Close(string reason)
    {
        _registry.Remove(_sessionId);
        if (!_session.Completion.IsCompleted) _ = DisconnectAsync(reason);
    }

    /// <summary>How long the status TUIs get to restore their terminals before the connection closes.</summary>
    private static readonly TimeSpan ViewsEndBound = TimeSpan.FromSeconds(2);

    private async Task DisconnectAsync(string reason)
    {
        try
        {
            await _status.EndViewsAsync(reason).WaitAsync(ViewsEndBound).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A client that stopped reading: close anyway.
        }
        try
        {
            await _session.DisconnectAsync(DisconnectReason.ByApplication, reason).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshProtocolException or SshConnectionClosedException or IOException or ObjectDisposedException)
        {
            // Already going down on its own: ended either way.
        }
    }
}
