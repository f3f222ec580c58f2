using System.Net;
using Akka.Actor;
using Gateway.Actors.Endpoints;
using Gateway.Actors.Health;
using Gateway.Actors.Sessions;
using Gateway.Node.SshSessions.Cli;
using Gateway.Node.Tunnels;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Server;
using Gateway.Ssh.Transport;

namespace Gateway.Node.SshSessions;

/// <summary>
/// Turns each authenticated SSH connection into a tunnel session: a status feed, a connection
/// handler, and an <see cref="SshSessionActor"/> that owns the connection from then on (its forwards,
/// its entry in the <see cref="LocalTunnelRegistry"/>, its downstream connections, its end).
/// </summary>
public sealed class GatewaySessionHandler : ISshSessionHandler
{
    private readonly ActorSystem _system;
    private readonly LocalEndpoints _endpoints;
    private readonly string _nodeAddress;
    private readonly TunnelRouteCatalog _catalog;
    private readonly LocalTunnelRegistry _registry;
    private readonly ILoggerFactory _loggers;
    private readonly DataPathCounters? _counters;
    private readonly SessionHealth? _health;
    private readonly ClusterRouteView _routeView;
    private readonly Gateway.Actors.SignIn.ISignInStore? _signIn;
    private readonly CliCommands _commands = new();
    private readonly Dictionary<SshTransport, PendingSession> _pending = [];
    private readonly Lock _gate = new();
    private long _counter;

    public GatewaySessionHandler(ActorSystem system, LocalEndpoints endpoints, string nodeAddress, TunnelRouteCatalog catalog, LocalTunnelRegistry registry, ILoggerFactory loggers,
        ClusterRouteView routeView, DataPathCounters? counters = null, SessionHealth? health = null, Gateway.Actors.SignIn.ISignInStore? signIn = null)
    {
        _signIn = signIn;
        _routeView = routeView;
        _counters = counters;
        _health = health;
        _system = system;
        _endpoints = endpoints;
        _nodeAddress = nodeAddress;
        _catalog = catalog;
        _registry = registry;
        _loggers = loggers;
    }

    /// <summary>
    /// Runs when the connection layer is created, before the session has started; its requests wait
    /// for the session actor, which needs the started session's connection to own.
    /// </summary>
    public ISshConnectionHandler CreateConnectionHandler(SshAuthenticatedUser user, SshTransport transport)
    {
        var identity = user.Identity as GatewayIdentity ?? throw new InvalidOperationException("authenticated without a gateway identity");
        var sessionId = $"ssh-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..8]}";
        var remote = transport.RemoteEndPoint as IPEndPoint;
        var status = new SessionStatusFeed(_loggers.CreateLogger("Gateway.Ssh.Session"), $"{sessionId} {identity.Email}");
        var client = remote?.ToString() ?? "unknown";
        var pending = new PendingSession(new SessionIdentity(sessionId, identity.Email, client),
            identity, _catalog.Admit(identity, user.Username, remote?.Address), status);
        lock (_gate) _pending[transport] = pending;
        // A connection that ends before its session started never gets an actor.
        transport.Closed.Register(() => { lock (_gate) _pending.Remove(transport); });
        var forwards = new SessionForwards(pending.Actor.Task);
        var cli = new CliConnection(new CliContext(sessionId, client, user.Username, identity, pending.Admissions, _routeView, forwards.ReadAsync, _signIn),
            forwards, _commands, _loggers.CreateLogger("Gateway.Ssh.Session"));
        return new TunnelConnectionHandler(pending.Actor.Task, status, identity, transport.Closed, cli, pending.Identity);
    }

    public Task OnSessionStartedAsync(SshServerSession session, CancellationToken cancellationToken)
    {
        PendingSession? pending;
        lock (_gate) _pending.Remove(session.Transport, out pending);
        if (pending is null) return Task.CompletedTask;
        var connection = new SshSessionConnection(session, pending.Identity.SessionId, pending.GatewayIdentity, pending.Status, _registry);
        var actor = _system.ActorOf(SshSessionActor.Props(pending.Identity, pending.Admissions, _endpoints, _nodeAddress, pending.Status, connection, _counters, _health),
            pending.Identity.SessionId);
        pending.Actor.SetResult(actor);
        return Task.CompletedTask;
    }

    private sealed record PendingSession(SessionIdentity Identity, GatewayIdentity GatewayIdentity, IReadOnlyList<RouteAdmission> Admissions, SessionStatusFeed Status)
    {
        public TaskCompletionSource<IActorRef> Actor { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
