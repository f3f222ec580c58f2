using Akka.Actor;
using Akka.Cluster;
using Gateway.Actors.Endpoints;
using Gateway.Node.Relay;
using Gateway.Node.Routing;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Status;

/// <summary>
/// What the status endpoints report, read from live state on each call: the cluster as this node
/// sees it, every route's endpoints from the local replica, the SSH connections held here.
/// </summary>
public sealed class NodeStatus
{
    private readonly ActorSystem _system;
    private readonly EndpointTable _endpoints;
    private readonly Balancing.RouteHealthView? _health;
    private readonly LocalTunnelRegistry _tunnels;
    private readonly RouteTable _routes;
    private readonly EndpointSuspects _suspects;
    private readonly RelayServer _relay;
    private readonly RelayTicketStore _tickets;
    private readonly ReplicaProgress _progress;
    private readonly EndpointDirectoryCounters _counters;
    private readonly LocalEndpoints _local;
    private readonly Drain.NodeDrain? _drain;
    private readonly Http.ProxyRetryCounters? _retries;
    private readonly Gateway.Actors.Sessions.DataPathCounters? _dataPath;
    private long _upSince = -1;

    /// <summary>
    /// How long after turning Up a node may report ready without being in step with every other
    /// node's endpoints: the bound for a member that does not answer the replica's snapshot request.
    /// </summary>
    public static readonly TimeSpan EndpointWarmUp = TimeSpan.FromSeconds(15);

    public NodeStatus(ActorSystem system, ReplicaProgress progress, EndpointTable endpoints, LocalTunnelRegistry tunnels, RouteTable routes, EndpointSuspects suspects, RelayServer relay, RelayTicketStore tickets,
        EndpointDirectoryCounters counters, LocalEndpoints local, Drain.NodeDrain? drain = null, Gateway.Actors.Sessions.DataPathCounters? dataPath = null, Http.ProxyRetryCounters? retries = null,
        Balancing.RouteHealthView? health = null)
    {
        _dataPath = dataPath;
        _retries = retries;
        _counters = counters;
        _local = local;
        _drain = drain;
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => Interlocked.CompareExchange(ref _upSince, Environment.TickCount64, -1));
        _progress = progress;
        _system = system;
        _endpoints = endpoints;
        _health = health;
        _tunnels = tunnels;
        _routes = routes;
        _suspects = suspects;
        _relay = relay;
        _tickets = tickets;
    }

    /// <summary>
    /// Ready means a load balancer may send traffic here: this node is Up in the cluster (not
    /// joining, leaving or down) and sees itself as part of the cluster's reachable majority view.
    /// </summary>
    public (bool Ready, string Reason) Readiness()
    {
        if (_drain?.IsDraining == true) return (false, "draining");
        var cluster = Akka.Cluster.Cluster.Get(_system);
        if (_system.WhenTerminated.IsCompleted || cluster.IsTerminated) return (false, "actor system stopped");
        var self = cluster.SelfMember;
        if (self.Status != MemberStatus.Up) return (false, $"cluster member status is {self.Status}");
        // A node that just joined lists no other node's endpoints until their snapshots arrive; sent
        // traffic before that, it would answer 503 "no upstream tunnel" for live routes.
        if (Interlocked.Read(ref _upSince) < 0) Interlocked.CompareExchange(ref _upSince, Environment.TickCount64, -1);
        var unreachable = cluster.State.Unreachable;
        var waitingFor = cluster.State.Members
            .Where(m => m.Status == MemberStatus.Up && m.Address != cluster.SelfAddress && !unreachable.Contains(m))
            .Count(m => !_progress.IsInStepWith(m.Address.ToString()));
        var warm = waitingFor == 0
            || Environment.TickCount64 - Interlocked.Read(ref _upSince) >= (long)EndpointWarmUp.TotalMilliseconds;
        return warm ? (true, "up") : (false, $"waiting for the endpoints of {waitingFor} other node(s)");
    }

    /// <summary>
    /// The endpoint directory's traffic since start and what it lists now: small, so it can be
    /// polled often (<c>/status/endpoint-directory</c>) where the full <c>/status</c> lists every endpoint.
    /// </summary>
    public object EndpointDirectory()
    {
        var cluster = Akka.Cluster.Cluster.Get(_system);
        return new
        {
            deltas_published = _counters.DeltasPublished,
            digests_published = _counters.DigestsPublished,
            snapshot_parts_sent = _counters.SnapshotPartsSent,
            deltas_received = _counters.DeltasReceived,
            digests_received = _counters.DigestsReceived,
            snapshot_parts_received = _counters.SnapshotPartsReceived,
            snapshot_requests_sent = _counters.SnapshotRequestsSent,
            endpoints_local = _local.Count,
            endpoints_listed = _endpoints.Count,
            endpoints_by_node = cluster.State.Members.ToDictionary(m => m.Address.ToString(), m => _endpoints.CountOfNode(m.Address.ToString())),
        };
    }

    /// <summary>The HTTPS side's requests: those running now, and those sent again after a tunnel failure.</summary>
    private object Proxy() => new
    {
        requests_in_flight = _drain?.InFlight ?? 0,
        retries_attempted = _retries?.Attempted ?? 0,
        retries_succeeded = _retries?.Succeeded ?? 0,
    };

    /// <summary>
    /// What the data path holds open now (<c>/status</c>'s <c>data_path</c>): at rest, with no
    /// request running and pooled connections idled out, all of it is zero; a number that stays up
    /// is a leak. Also the endpoints and nodes suspected right now.
    /// </summary>
    public object DataPath() => new
    {
        channels_opening = _dataPath?.ChannelsOpening ?? 0,
        channels_open = _dataPath?.ChannelsOpen ?? 0,
        relay_connections_out = _dataPath?.RelayConnectionsOut ?? 0,
        relay_connections_in = _dataPath?.RelayConnectionsIn ?? 0,
        downstream_connection_actors = _dataPath?.DownstreamConnectionActors ?? 0,
        open_times_local = _dataPath?.OpenTimes(relayed: false),
        open_times_relayed = _dataPath?.OpenTimes(relayed: true),
        suspect_nodes = _suspects.SuspectNodes,
        suspect_endpoints = _suspects.SuspectEndpoints,
    };

    public object Snapshot()
    {
        var cluster = Akka.Cluster.Cluster.Get(_system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var (ready, reason) = Readiness();
        var endpoints = _endpoints.Snapshot();
        return new
        {
            node = cluster.SelfAddress.ToString(),
            status = cluster.SelfMember.Status.ToString(),
            ready,
            readiness = reason,
            leader = state.Leader?.ToString(),
            relay = new { address = $"{_relay.Advertised.Host}:{_relay.Advertised.Port}", active_connections = _relay.ActiveConnections, pending_tokens = _tickets.Count },
            members = state.Members.Select(m => new
            {
                address = m.Address.ToString(),
                status = m.Status.ToString(),
                reachable = !unreachable.Contains(m.Address),
                // Whether this node's replica lists that member's endpoints as of its latest delta.
                endpoints_in_step = m.Address == cluster.SelfAddress ? (bool?)null : _progress.IsInStepWith(m.Address.ToString()),
                relay = RelayRole.Parse(m.Roles) is { } r ? $"{r.Host}:{r.Port}" : null,
                roles = m.Roles.Where(role => !role.StartsWith("relay=", StringComparison.Ordinal)).ToList(),
            }).ToList(),
            // The routes that take tunnel endpoints; the others have no live state to report.
            routes = _routes.Tunnel.Select(route => (route, figure: _health?.Figure(route.Id))).Select(r => new
            {
                id = r.route.Id,
                host = r.route.Host,
                health = r.figure is not { } f ? null : new
                {
                    checks = r.route.HasHealthChecks,
                    healthy_panic_threshold = r.route.HealthyPanicThreshold,
                    healthy = f.Healthy,
                    degraded = f.Degraded,
                    unhealthy = f.Unhealthy,
                    unknown = f.Unknown,
                    passively_ejected = f.Ejected.Count,
                    available = f.Available,
                    panic = f.Panic,
                },
                endpoints = (endpoints.TryGetValue(r.route.Id, out var list) ? list : []).Select(e => new
                {
                    id = e.EndpointId,
                    node = e.NodeAddress,
                    owner = e.Owner,
                    client = e.ClientAddress,
                    dynamic = e.IsDynamic,
                    local = _tunnels.Find(e.SessionId) is not null,
                    healthy = !_suspects.IsSuspect(e) && !unreachable.Any(a => a.ToString() == e.NodeAddress),
                    registered_at = e.RegisteredAt,
                    health = e.Health.ToString().ToUpperInvariant(),
                    health_changed_at = e.HealthChangedAt,
                    passively_ejected = r.figure?.Ejected.Contains(e.EndpointId) == true,
                }).ToList(),
            }).ToList(),
            endpoint_directory = EndpointDirectory(),
            proxy = Proxy(),
            data_path = DataPath(),
            local_tunnels = _tunnels.All.Select(t => new { session = t.SessionId, user = t.Identity.Email }).ToList(),
        };
    }
}
