using Gateway.Ssh;
using System.Net;
using Akka.Actor;
using Gateway.Actors.Routes;
using Gateway.Actors.Sessions;
using Gateway.Node.Tunnels;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Server;
using Gateway.Ssh.Transport;

namespace Gateway.Node.SshSessions;

/// <summary>
/// Turns each authenticated SSH connection into a tunnel session: an <see cref="SshSessionActor"/>
/// that owns its forwards, an entry in the <see cref="LocalTunnelRegistry"/> so requests can open
/// channels on it, and a status feed. All of it is torn down when the connection ends.
/// </summary>
public sealed class GatewaySessionHandler : ISshSessionHandler
{
    private readonly ActorSystem _system;
    private readonly IActorRef _routeRegion;
    private readonly string _nodeAddress;
    private readonly TunnelRouteCatalog _catalog;
    private readonly LocalTunnelRegistry _registry;
    private readonly RouteActorSettings _settings;
    private readonly ILoggerFactory _loggers;
    private readonly Dictionary<SshTransport, PendingSession> _pending = [];
    private readonly Lock _gate = new();
    private long _counter;

    public GatewaySessionHandler(ActorSystem system, IActorRef routeRegion, string nodeAddress, TunnelRouteCatalog catalog, LocalTunnelRegistry registry, RouteActorSettings settings, ILoggerFactory loggers)
    {
        _system = system;
        _routeRegion = routeRegion;
        _nodeAddress = nodeAddress;
        _catalog = catalog;
        _registry = registry;
        _settings = settings;
        _loggers = loggers;
    }

    public ISshConnectionHandler CreateConnectionHandler(SshAuthenticatedUser user, SshTransport transport)
    {
        var identity = user.Identity as GatewayIdentity ?? throw new InvalidOperationException("authenticated without a gateway identity");
        var sessionId = $"ssh-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..8]}";
        var remote = transport.RemoteEndPoint as IPEndPoint;
        var status = new SessionStatusFeed(_loggers.CreateLogger("Gateway.Ssh.Session"), $"{sessionId} {identity.Email}");
        var admissions = _catalog.Admit(identity, user.Username, remote?.Address);
        var actor = _system.ActorOf(SshSessionActor.Props(
            new SessionIdentity(sessionId, identity.Email, remote?.ToString() ?? "unknown"), admissions, _routeRegion, _nodeAddress, status, _settings),
            sessionId);
        lock (_gate) _pending[transport] = new PendingSession(sessionId, identity, actor, status);
        return new TunnelConnectionHandler(actor, status, identity, transport.Closed);
    }

    public async Task OnSessionStartedAsync(SshServerSession session, CancellationToken cancellationToken)
    {
        PendingSession? pending;
        lock (_gate) _pending.Remove(session.Transport, out pending);
        if (pending is null) return;
        var tunnel = new LocalTunnel(pending.SessionId, pending.Identity, session.Connection, pending.Actor, pending.Status);
        _registry.Add(tunnel);
        try
        {
            await session.Completion.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshProtocolException or SshConnectionClosedException or IOException)
        {
        }
        finally
        {
            _registry.Remove(pending.SessionId);
            _system.Stop(pending.Actor);
        }
    }

    private sealed record PendingSession(string SessionId, GatewayIdentity Identity, IActorRef Actor, SessionStatusFeed Status);
}
