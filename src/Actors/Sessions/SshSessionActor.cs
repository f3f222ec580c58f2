using Akka.Actor;
using Akka.Event;
using Gateway.Actors.Endpoints;
using Gateway.Actors.Health;
using Gateway.Contracts.Messages;
using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Sessions;

/// <summary>
/// One per SSH connection, on the node that accepted it, and the owner of that connection's
/// lifetime: it lists the connection in the node's tunnel registry when it starts, stops when the
/// connection ends, and when it stops (for whatever reason) unregisters its endpoints, stops its
/// <see cref="DownstreamConnectionActor"/> children (closing their streams), removes the registry
/// entry and closes the connection. Owns the connection's forward requests and serves the
/// connection as an endpoint of every route a request matches and the identity is admitted to,
/// through this node's <see cref="LocalEndpoints"/>. Nothing is refreshed at rest: the endpoints
/// live exactly as long as the connection (and the node).
/// </summary>
public sealed class SshSessionActor : ReceiveActor, IWithTimers
{
    /// <summary>How often open connections' byte counts are published while a view draws them.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    private sealed record ProgressTick
    {
        public static readonly ProgressTick Instance = new();
    }

    private sealed record OpenConnection(DownstreamOpened Opened, IDownstreamConnection Stream, DateTime OpenedAt);

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
    private readonly LocalEndpoints _endpoints;
    private readonly string _nodeAddress;
    private readonly ISessionStatusSink _status;
    private readonly ISessionConnection _connection;
    private readonly ForwardPermissionSet _permissions = new();
    private readonly Dictionary<string, TunnelEndpoint> _registered = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly WarningCollapse _warnings = new();
    private readonly DataPathCounters? _counters;
    private bool _serving = true;
    private readonly SessionHealth? _health;
    private readonly Dictionary<string, IActorRef> _healthChecks = new(StringComparer.Ordinal);
    private int _healthCheckActors;
    private readonly Dictionary<string, OpenConnection> _open = new(StringComparer.Ordinal);
    private string? _endReason;

    public ITimerScheduler Timers { get; set; } = null!;

    public SshSessionActor(SessionIdentity identity, IReadOnlyList<RouteAdmission> routes, LocalEndpoints endpoints, string nodeAddress, ISessionStatusSink status, ISessionConnection connection,
        DataPathCounters? counters = null, SessionHealth? health = null)
    {
        _counters = counters;
        _health = health;
        _connection = connection;
        _identity = identity;
        _routes = routes;
        _endpoints = endpoints;
        _nodeAddress = nodeAddress;
        _status = status;

        Receive<ForwardRequested>(OnForwardRequested);
        Receive<ForwardCancelRequested>(OnForwardCancelled);
        Receive<GetSessionStatus>(_ => Sender.Tell(BuildStatus()));
        Receive<ConnectionEnded>(_ => Context.Stop(Self));
        Receive<StopServing>(_ => StopServingEndpoints());
        Receive<EndSession>(m =>
        {
            _endReason ??= m.Reason;
            _status.Post("gateway: " + m.Reason + "; closing this connection");
            Context.Stop(Self);
        });
        Receive<OpenDownstream>(m =>
        {
            _open[m.Connection.ConnectionId] = new OpenConnection(m.Connection, m.Stream, DateTime.UtcNow);
            Sender.Tell(new DownstreamStarted(Context.ActorOf(DownstreamConnectionActor.Props(m.Connection, m.Stream, _counters))));
        });
        Receive<ProgressTick>(_ => PublishProgress());
        Receive<ForwardWarning>(OnForwardWarning);
        Receive<EndpointHealthChanged>(OnEndpointHealthChanged);
        Receive<HealthCheckReport>(m => { if (_registered.ContainsKey(m.EndpointId)) _status.Post(m.Line); });
        // Health probes open a channel every interval: their results are reported, their channels are not.
        Receive<DownstreamOpened>(m =>
        {
            var openedAt = _open.TryGetValue(m.ConnectionId, out var open) ? open.OpenedAt : DateTime.UtcNow;
            _status.Publish(new ConnectionsUpdated([Snapshot(m, openedAt, 0, 0, null, null)]));
            if (_open.Count == 1) Timers.StartPeriodicTimer(nameof(ProgressTick), ProgressTick.Instance, ProgressInterval);
            if (!m.IsHealthCheck) _status.PostConnectionLine($"connection {m.ConnectionId} from {m.Downstream}{ViaText(m.Via)} to {RouteName(m.RouteId)} opened");
        });
        Receive<DownstreamClosed>(m =>
        {
            var openedAt = DateTime.UtcNow - m.Duration;
            if (_open.Remove(m.ConnectionId, out var open))
            {
                openedAt = open.OpenedAt;
                _status.Publish(new ConnectionsUpdated([Snapshot(open.Opened, openedAt, m.BytesToUpstream, m.BytesToDownstream, openedAt + m.Duration, m.Error)]));
            }
            if (_open.Count == 0) Timers.Cancel(nameof(ProgressTick));
            if (m.Downstream == DownstreamOpened.HealthCheck) return;
            _status.PostConnectionLine($"connection {m.ConnectionId} from {m.Downstream} to {RouteName(m.RouteId)} closed after {m.Duration.TotalSeconds:0.0}s: {m.BytesToUpstream} bytes sent, {m.BytesToDownstream} bytes received" +
                (m.Error is null ? "" : $" ({m.Error})"));
        });
    }

    public static Props Props(SessionIdentity identity, IReadOnlyList<RouteAdmission> routes, LocalEndpoints endpoints, string nodeAddress, ISessionStatusSink status, ISessionConnection connection,
        DataPathCounters? counters = null, SessionHealth? health = null)
        => Akka.Actor.Props.Create(() => new SshSessionActor(identity, routes, endpoints, nodeAddress, status, connection, counters, health));

    protected override void PreStart()
    {
        _connection.Attach(Self);
        PublishForwards();
        var self = Self;
        var endpoints = _endpoints;
        var sessionId = _identity.SessionId;
        _connection.Completion.ContinueWith(_ =>
        {
            // Out of the table the moment the connection ends, before this actor gets to it: a
            // request choosing meanwhile would find only a closed connection. (LocalEndpoints is
            // thread-safe; withdrawing again in PostStop is a no-op.)
            endpoints.WithdrawSession(sessionId);
            self.Tell(ConnectionEnded.Instance);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Runs after the children (downstream connections) have stopped and closed their streams.</summary>
    protected override void PostStop()
    {
        // Out of this node's table before the connection closes: no request picks it in between.
        UnregisterAll();
        // The node's own shutdown stops every actor after it left the cluster; the client should
        // read that as the server going away (and reconnect elsewhere), not as this session ended.
        var shuttingDown = CoordinatedShutdown.Get(Context.System).ShutdownReason is not null;
        _connection.Close(shuttingDown ? ServerShuttingDown : _endReason ?? SessionStopped);
    }

    private void StopServingEndpoints()
    {
        if (!_serving) return;
        _serving = false;
        UnregisterAll();
        _status.Post("this node is draining: no new requests reach this connection; connections already open run to their end");
        PublishForwards();
    }

    /// <summary>Byte counts of the open connections, read from their streams' counters (the byte path sends no messages).</summary>
    private void PublishProgress()
    {
        if (_open.Count == 0 || !_status.HasViewers) return;
        _status.Publish(new ConnectionsUpdated(_open.Values
            .Select(o => Snapshot(o.Opened, o.OpenedAt, o.Stream.BytesToUpstream, o.Stream.BytesToDownstream, null, null)).ToList()));
    }

    private ConnectionSnapshot Snapshot(DownstreamOpened opened, DateTime openedAt, long toUpstream, long toDownstream, DateTime? closedAt, string? error)
        => new(opened.ConnectionId, opened.Channel, RouteName(opened.RouteId), opened.Downstream, opened.Path, opened.Via, openedAt, toUpstream, toDownstream, closedAt, error);

    private static string ViaText(string? via) => via is null ? "" : $" (via {via})";

    /// <summary>The forward requests and the routes this identity may serve, for views that draw them.</summary>
    private void PublishForwards()
    {
        var requests = _permissions.Permissions.Select(p => new ForwardRequestSnapshot(p.Pattern.Text, p.PortLabel,
            p.Pattern.Text is "" or "*" or "localhost",
            _registered.Values.Count(e => e.ConnectedAddress == p.Pattern.Text && e.ConnectedPort == p.ServerPort))).ToList();
        var routes = _routes.Where(r => r.Admitted).Select(r =>
        {
            var served = _registered.GetValueOrDefault(TunnelEndpoint.MakeId(_identity.SessionId, r.Route.RouteId));
            var address = r.Route.Address;
            var scheme = address.Scheme == RouteScheme.Https ? "https" : "ssh";
            return new RouteSnapshot(r.Route.RouteId, $"{scheme}://{address.Hostname}:{address.Port}", r.Route.To, served is not null,
                served?.Health ?? EndpointHealth.Unknown, r.Route.HealthChecks is { Checks.Count: > 0 });
        }).ToList();
        _status.Publish(new ForwardsUpdated(requests, routes));
    }

    private void UnregisterAll()
    {
        foreach (var id in _healthChecks.Keys.ToList()) StopHealthChecks(id);
        if (_registered.Count == 0) return;
        _endpoints.WithdrawSession(_identity.SessionId);
        _registered.Clear();
    }

    private void OnForwardRequested(ForwardRequested request)
    {
        var result = _permissions.Add(request.BindAddress, request.Port);
        if (!result.Success)
        {
            Sender.Tell(result);
            _status.Post($"error: forward request \"{request.BindAddress}\" port {request.Port} refused: {result.Message}");
            return;
        }
        var permission = result.Permission!;
        // Served before the client hears of it: once "remote forward success", requests can reach it.
        Reconcile();
        Sender.Tell(result);
        PublishForwards();
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

    /// <summary>Every request on a mis-set forward fails the same way: one warning per forward and interval, with a count.</summary>
    private void OnForwardWarning(ForwardWarning warning)
    {
        var shown = _warnings.Occur(WarningKey(warning.Forward, warning.Diagnostic.Message), DateTime.UtcNow);
        if (shown is null) return;
        foreach (var line in warning.Diagnostic.Render(WarningCollapse.Suffix(shown.Value)).Split('\n')) _status.Post(line);
    }

    private static string WarningKey(string forward, string message) => forward + "\n" + message;

    private void OnForwardCancelled(ForwardCancelRequested request)
    {
        var removed = _permissions.Cancel(request.BindAddress, request.Port);
        if (removed is null)
        {
            Sender.Tell(false);
            _status.Post($"error: cancel \"{request.BindAddress}\" port {request.Port}: port-forward not found");
            return;
        }
        // Withdrawn before the client hears the cancel succeeded (and stops accepting channels for
        // it): from then on no request picks it. Channels already open carry their requests to the
        // end, as OpenSSH keeps a cancelled forward's open connections.
        Reconcile();
        foreach (var message in new[] { MismatchDiagnostic.ExpectingDynamic, MismatchDiagnostic.ExpectingStatic })
            _warnings.Forget(WarningKey(ForwardKey(removed.Pattern.Text, removed.ServerPort), message));
        Sender.Tell(true);
        PublishForwards();
        _status.Post($"forward \"{removed.Pattern.Text}\" port {removed.PortLabel} cancelled");
    }

    /// <summary>Brings the registrations in line with the current permissions.</summary>
    private void Reconcile()
    {
        var desired = new Dictionary<string, TunnelEndpoint>(StringComparer.Ordinal);
        foreach (var admission in _routes)
        {
            if (!admission.Admitted || !_serving) continue;
            var permission = _permissions.Match(admission.Route.Address);
            if (permission is null) continue;
            var id = TunnelEndpoint.MakeId(_identity.SessionId, admission.Route.RouteId);
            var previous = _registered.GetValueOrDefault(id);
            desired[id] = new TunnelEndpoint(id, admission.Route.RouteId, _nodeAddress, _identity.SessionId, _identity.Owner, _identity.ClientAddress,
                permission.IsDynamic, permission.Pattern.Text, permission.ServerPort, previous?.RegisteredAt ?? DateTimeOffset.UtcNow,
                previous?.Health ?? EndpointHealth.Unknown, previous?.HealthChangedAt);
        }

        foreach (var (id, endpoint) in _registered.ToList())
        {
            if (desired.ContainsKey(id)) continue;
            _registered.Remove(id);
            _endpoints.Withdraw(id);
            StopHealthChecks(id);
        }
        foreach (var (id, endpoint) in desired)
        {
            if (_registered.TryGetValue(id, out var existing) && existing == endpoint) continue;
            _registered[id] = endpoint;
            _endpoints.Serve(endpoint);
            _log.Debug("{0} serves route {1}", _identity.SessionId, endpoint.RouteId);
            StartHealthChecks(endpoint);
        }
    }

    /// <summary>A route with health checks gets a <see cref="HealthCheckActor"/> per endpoint, for as long as the endpoint is served.</summary>
    private void StartHealthChecks(TunnelEndpoint endpoint)
    {
        if (_health is null || _healthChecks.ContainsKey(endpoint.EndpointId)) return;
        var route = _routes.FirstOrDefault(r => r.Route.RouteId == endpoint.RouteId)?.Route;
        if (route?.HealthChecks is not { Checks.Count: > 0, Targets.Count: > 0 } checks) return;
        _healthChecks[endpoint.EndpointId] = Context.ActorOf(
            HealthCheckActor.Props(endpoint.EndpointId, endpoint.RouteId, RouteName(endpoint.RouteId), checks, _health.Opener, _health.Traffic),
            $"health-{++_healthCheckActors}");
    }

    private void StopHealthChecks(string endpointId)
    {
        if (_healthChecks.Remove(endpointId, out var actor)) Context.Stop(actor);
    }

    /// <summary>Written into the endpoint's entry, which carries it to every node's load balancer.</summary>
    private void OnEndpointHealthChanged(EndpointHealthChanged changed)
    {
        if (!_serving || !_registered.TryGetValue(changed.EndpointId, out var endpoint)) return;
        var updated = endpoint with { Health = changed.Health, HealthChangedAt = DateTimeOffset.UtcNow };
        _registered[changed.EndpointId] = updated;
        _endpoints.Serve(updated);
        PublishForwards();
    }

    /// <summary>How a forward is named in <see cref="ForwardWarning"/>: its pattern and the port the gateway serves it on.</summary>
    public static string ForwardKey(string pattern, uint serverPort) => $"{pattern}:{serverPort}";

    private SessionStatus BuildStatus() => new(_permissions.Permissions
        .Select(p => new ForwardStatus(p, _registered.Values.Where(e => e.ConnectedAddress == p.Pattern.Text && e.ConnectedPort == p.ServerPort).Select(e => e.RouteId).ToList()))
        .ToList());

    private string RouteName(string routeId) => _routes.FirstOrDefault(r => r.Route.RouteId == routeId)?.Route.Address.Hostname ?? routeId;
}
