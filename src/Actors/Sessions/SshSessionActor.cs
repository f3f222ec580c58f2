using Akka.Actor;
using Akka.Event;
using Gateway.Actors.Routes;
using Gateway.Contracts.Messages;
using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Sessions;

/// <summary>
/// One per SSH connection, on the node that accepted it, and the owner of that connection's
/// lifetime: it lists the connection in the node's tunnel registry when it starts, stops when the
/// connection ends, and when it stops (for whatever reason) unregisters its endpoints, stops its
/// <see cref="DownstreamConnectionActor"/> children (closing their streams), removes the registry
/// entry and closes the connection. Owns the connection's forward requests and registers the
/// connection as an endpoint of every route a request matches and the identity is admitted to;
/// re-registers periodically (soft state) and on every change, always as itself (the route actor
/// accepts registrations only from the node they name), and hands the same endpoints to the
/// connection as the node's own record of what it serves.
/// </summary>
public sealed class SshSessionActor : ReceiveActor, IWithTimers
{
    private sealed record ReRegister;

    private sealed record ConnectionEnded
    {
        public static readonly ConnectionEnded Instance = new();
    }

    /// <summary>Why the connection is closed when the actor stops while it is still up.</summary>
    public const string SessionStopped = "the gateway ended the session";

    /// <summary>Why the connection is closed when the node shuts down (as OpenSSH's sshd says on SIGTERM).</summary>
    public const string ServerShuttingDown = "server shutting down";

    private readonly SessionIdentity _identity;
    private readonly IReadOnlyList<RouteAdmission> _routes;
    private readonly IActorRef _routeRegion;
    private readonly string _nodeAddress;
    private readonly ISessionStatusSink _status;
    private readonly RouteActorSettings _settings;
    private readonly ISessionConnection _connection;
    private readonly ForwardPermissionSet _permissions = new();
    private readonly Dictionary<string, TunnelEndpoint> _registered = new(StringComparer.Ordinal);
    private Dictionary<string, TunnelEndpoint> _served = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _serving = true;

    public SshSessionActor(SessionIdentity identity, IReadOnlyList<RouteAdmission> routes, IActorRef routeRegion, string nodeAddress, ISessionStatusSink status, RouteActorSettings settings, ISessionConnection connection)
    {
        _connection = connection;
        _identity = identity;
        _routes = routes;
        _routeRegion = routeRegion;
        _nodeAddress = nodeAddress;
        _status = status;
        _settings = settings;

        Receive<ForwardRequested>(OnForwardRequested);
        Receive<ForwardCancelRequested>(OnForwardCancelled);
        Receive<GetSessionStatus>(_ => Sender.Tell(BuildStatus()));
        Receive<ReRegister>(_ =>
        {
            foreach (var endpoint in _registered.Values)
                _routeRegion.Tell(new RegisterEndpoint(endpoint.RouteId, endpoint, Self), Self);
        });
        Receive<ConnectionEnded>(_ => Context.Stop(Self));
        Receive<StopServing>(_ => StopServingEndpoints());
        Receive<OpenDownstream>(m => Sender.Tell(new DownstreamStarted(Context.ActorOf(DownstreamConnectionActor.Props(m.Connection, m.Stream)))));
        Receive<DownstreamOpened>(m => _status.Post($"connection {m.ConnectionId} from {m.Downstream} to {RouteName(m.RouteId)} opened"));
        Receive<DownstreamClosed>(m => _status.Post(
            $"connection {m.ConnectionId} from {m.Downstream} to {RouteName(m.RouteId)} closed after {m.Duration.TotalSeconds:0.0}s: {m.BytesToUpstream} bytes sent, {m.BytesToDownstream} bytes received" +
            (m.Error is null ? "" : $" ({m.Error})")));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SessionIdentity identity, IReadOnlyList<RouteAdmission> routes, IActorRef routeRegion, string nodeAddress, ISessionStatusSink status, RouteActorSettings settings, ISessionConnection connection)
        => Akka.Actor.Props.Create(() => new SshSessionActor(identity, routes, routeRegion, nodeAddress, status, settings, connection));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("re-register", new ReRegister(), _settings.ReRegisterInterval);
        _connection.Attach(Self);
        var self = Self;
        _connection.Completion.ContinueWith(_ => self.Tell(ConnectionEnded.Instance), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Runs after the children (downstream connections) have stopped and closed their streams.</summary>
    protected override void PostStop()
    {
        UnregisterAll();
        // The node's own shutdown stops every actor after it left the cluster; the client should
        // read that as the server going away (and reconnect elsewhere), not as this session ended.
        var shuttingDown = CoordinatedShutdown.Get(Context.System).ShutdownReason is not null;
        _connection.Close(shuttingDown ? ServerShuttingDown : SessionStopped);
    }

    private void StopServingEndpoints()
    {
        if (!_serving) return;
        _serving = false;
        UnregisterAll();
    }

    private void UnregisterAll()
    {
        foreach (var endpoint in _registered.Values)
            _routeRegion.Tell(new UnregisterEndpoint(endpoint.RouteId, endpoint.EndpointId), Self);
        _registered.Clear();
    }

    private void OnForwardRequested(ForwardRequested request)
    {
        var result = _permissions.Add(request.BindAddress, request.Port);
        Sender.Tell(result);
        if (!result.Success)
        {
            _status.Post($"error: forward request \"{request.BindAddress}\" port {request.Port} refused: {result.Message}");
            return;
        }
        var permission = result.Permission!;
        Reconcile();
        var served = _registered.Values.Where(e => e.ConnectedAddress == permission.Pattern.Text && e.ConnectedPort == permission.ServerPort)
            .Select(e => RouteName(e.RouteId)).ToList();
        var label = permission.IsDynamic ? $"port {permission.PortLabel} (dynamic)" : $"port {permission.PortLabel} (static)";
        _status.Post(served.Count > 0
            ? $"forward \"{permission.Pattern.Text}\" {label}: serving {string.Join(", ", served)}"
            : $"forward \"{permission.Pattern.Text}\" {label}: matches no route you may serve");
        if (result.Message is not null) _status.Post($"warning: {result.Message}");
        foreach (var denied in _routes.Where(r => !r.Admitted && permission.CanServe(r.Route.Address)))
            _status.Post($"warning: route {RouteName(denied.Route.RouteId)} matches \"{permission.Pattern.Text}\" but its ssh_policy does not admit {_identity.Owner}" +
                (denied.Reason is null ? "" : $" ({denied.Reason})"));
    }

    private void OnForwardCancelled(ForwardCancelRequested request)
    {
        var removed = _permissions.Cancel(request.BindAddress, request.Port);
        Sender.Tell(removed is not null);
        if (removed is null)
        {
            _status.Post($"error: cancel \"{request.BindAddress}\" port {request.Port}: port-forward not found");
            return;
        }
        Reconcile();
        _status.Post($"forward \"{removed.Pattern.Text}\" port {removed.PortLabel} cancelled");
    }

    /// <summary>
    /// Brings the node's record of the endpoints this connection serves, and the registrations, in
    /// line with the current permissions. The record stays while the node drains (requests already
    /// routed here still find their endpoint); the registrations do not.
    /// </summary>
    private void Reconcile()
    {
        var served = new Dictionary<string, TunnelEndpoint>(StringComparer.Ordinal);
        foreach (var admission in _routes)
        {
            if (!admission.Admitted) continue;
            var permission = _permissions.Match(admission.Route.Address);
            if (permission is null) continue;
            var id = TunnelEndpoint.MakeId(_identity.SessionId, admission.Route.RouteId);
            var previous = _served.GetValueOrDefault(id);
            served[id] = new TunnelEndpoint(id, admission.Route.RouteId, _nodeAddress, _identity.SessionId, _identity.Owner, _identity.ClientAddress,
                permission.IsDynamic, permission.Pattern.Text, permission.ServerPort, previous?.RegisteredAt ?? DateTimeOffset.UtcNow);
        }
        if (served.Count != _served.Count || served.Any(kv => !_served.TryGetValue(kv.Key, out var e) || e != kv.Value))
        {
            _served = served;
            _connection.Serve([.. served.Values]);
        }

        var desired = _serving ? served : new Dictionary<string, TunnelEndpoint>(StringComparer.Ordinal);

        foreach (var (id, endpoint) in _registered.ToList())
        {
            if (desired.ContainsKey(id)) continue;
            _registered.Remove(id);
            _routeRegion.Tell(new UnregisterEndpoint(endpoint.RouteId, id), Self);
        }
        foreach (var (id, endpoint) in desired)
        {
            if (_registered.TryGetValue(id, out var existing) && existing == endpoint) continue;
            _registered[id] = endpoint;
            _routeRegion.Tell(new RegisterEndpoint(endpoint.RouteId, endpoint, Self), Self);
            _log.Debug("{0} serves route {1}", _identity.SessionId, endpoint.RouteId);
        }
    }

    private SessionStatus BuildStatus() => new(_permissions.Permissions
        .Select(p => new ForwardStatus(p, _registered.Values.Where(e => e.ConnectedAddress == p.Pattern.Text && e.ConnectedPort == p.ServerPort).Select(e => e.RouteId).ToList()))
        .ToList());

    private string RouteName(string routeId) => _routes.FirstOrDefault(r => r.Route.RouteId == routeId)?.Route.Address.Hostname ?? routeId;
}
