using System.Collections.Concurrent;
using System.Collections.Immutable;
using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Endpoints;

/// <summary>
/// This node's replica of every route's tunnel endpoints, on every node alike. Its writers are
/// this node's <see cref="LocalEndpoints"/> (for the SSH connections held here, synchronously, so a
/// connection's endpoints are gone from the table before the connection closes) and
/// <see cref="EndpointReplicaActor"/> (for every other node's, from their deltas and snapshots).
/// The request path reads it without locks or actor hops.
/// </summary>
/// <remarks>
/// A change costs O(log n) in the size of the route it touches: each route's endpoints are an
/// immutable dictionary swapped in whole, so readers always see one consistent version of a route.
/// </remarks>
public sealed class EndpointTable
{
    private readonly ConcurrentDictionary<string, ImmutableDictionary<string, TunnelEndpoint>> _routes = new(StringComparer.Ordinal);

    // Write side only, under _gate: what a removal by endpoint, session or node needs to find.
    private readonly object _gate = new();
    private readonly Dictionary<string, TunnelEndpoint> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _idsBySession = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _sessionsByNode = new(StringComparer.Ordinal);

    /// <summary>
    /// Raised after a write with the ids of the routes it changed (the proxy updates its destinations
    /// for them). Raised outside the table's lock, on the writer's thread.
    /// </summary>
    public event Action<IReadOnlyCollection<string>>? Changed;

    /// <summary>A route's endpoints, oldest registration first.</summary>
    public ImmutableArray<TunnelEndpoint> Get(string routeId)
        => _routes.TryGetValue(routeId, out var endpoints)
            ? [.. endpoints.Values.OrderBy(e => e.RegisteredAt).ThenBy(e => e.EndpointId, StringComparer.Ordinal)]
            : [];

    public int CountOf(string routeId) => _routes.TryGetValue(routeId, out var endpoints) ? endpoints.Count : 0;

    public TunnelEndpoint? Find(string routeId, string endpointId)
        => _routes.TryGetValue(routeId, out var endpoints) ? endpoints.GetValueOrDefault(endpointId) : null;

    /// <summary>Some endpoint of the route that is not excluded, without ordering the whole set.</summary>
    public TunnelEndpoint? FindOther(string routeId, Func<TunnelEndpoint, bool> excluded)
    {
        if (!_routes.TryGetValue(routeId, out var endpoints)) return null;
        foreach (var endpoint in endpoints.Values)
            if (!excluded(endpoint)) return endpoint;
        return null;
    }

    public IReadOnlyCollection<string> RouteIds => [.. _routes.Keys];

    public IReadOnlyDictionary<string, ImmutableArray<TunnelEndpoint>> Snapshot()
        => _routes.Keys.ToDictionary(id => id, Get, StringComparer.Ordinal);

    /// <summary>How many endpoints the table lists, of every node.</summary>
    public int Count
    {
        get { lock (_gate) return _byId.Count; }
    }

    /// <summary>How many endpoints the table lists for a node (a digest's count is compared with it).</summary>
    public int CountOfNode(string nodeAddress)
    {
        lock (_gate)
        {
            if (!_sessionsByNode.TryGetValue(nodeAddress, out var sessions)) return 0;
            var count = 0;
            foreach (var session in sessions) count += _idsBySession[session].Count;
            return count;
        }
    }

    /// <summary>Removes, then adds: one delta of one node, or a batch of local changes.</summary>
    public void Apply(IEnumerable<TunnelEndpoint> added, IEnumerable<string> removedEndpoints, IEnumerable<string> removedSessions)
    {
        var touched = new RouteChanges();
        lock (_gate)
        {
            foreach (var session in removedSessions) RemoveSession(session, touched);
            foreach (var id in removedEndpoints) RemoveEndpoint(id, touched);
            foreach (var endpoint in added) Add(endpoint, touched);
            touched.Commit(_routes);
        }
        Raise(touched);
    }

    /// <summary>Makes the node's endpoints exactly <paramref name="endpoints"/> (a snapshot arrived).</summary>
    public void ReplaceNode(string nodeAddress, IEnumerable<TunnelEndpoint> endpoints)
    {
        var touched = new RouteChanges();
        lock (_gate)
        {
            RemoveNode(nodeAddress, touched);
            foreach (var endpoint in endpoints) Add(endpoint, touched);
            touched.Commit(_routes);
        }
        Raise(touched);
    }

    /// <summary>Drops at once every endpoint of a node that became unreachable or left.</summary>
    public void PruneNode(string nodeAddress) => ReplaceNode(nodeAddress, []);

    private void Add(TunnelEndpoint endpoint, RouteChanges touched)
    {
        if (_byId.TryGetValue(endpoint.EndpointId, out var previous))
            RemoveEndpoint(previous.EndpointId, touched);
        _byId[endpoint.EndpointId] = endpoint;
        IndexOf(_idsBySession, endpoint.SessionId).Add(endpoint.EndpointId);
        IndexOf(_sessionsByNode, endpoint.NodeAddress).Add(endpoint.SessionId);
        touched.Builder(endpoint.RouteId, _routes)[endpoint.EndpointId] = endpoint;
    }

    private void RemoveEndpoint(string endpointId, RouteChanges touched)
    {
        if (!_byId.Remove(endpointId, out var endpoint)) return;
        touched.Builder(endpoint.RouteId, _routes).Remove(endpointId);
        var ids = _idsBySession[endpoint.SessionId];
        ids.Remove(endpointId);
        if (ids.Count > 0) return;
        _idsBySession.Remove(endpoint.SessionId);
        var sessions = _sessionsByNode[endpoint.NodeAddress];
        sessions.Remove(endpoint.SessionId);
        if (sessions.Count == 0) _sessionsByNode.Remove(endpoint.NodeAddress);
    }

    private void RemoveSession(string sessionId, RouteChanges touched)
    {
        if (!_idsBySession.TryGetValue(sessionId, out var ids)) return;
        foreach (var id in ids.ToList()) RemoveEndpoint(id, touched);
    }

    private void RemoveNode(string nodeAddress, RouteChanges touched)
    {
        if (!_sessionsByNode.TryGetValue(nodeAddress, out var sessions)) return;
        foreach (var session in sessions.ToList()) RemoveSession(session, touched);
    }

    private static HashSet<string> IndexOf(Dictionary<string, HashSet<string>> index, string key)
    {
        if (!index.TryGetValue(key, out var set))
            index[key] = set = new HashSet<string>(StringComparer.Ordinal);
        return set;
    }

    private void Raise(RouteChanges touched)
    {
        if (touched.RouteIds.Count > 0) Changed?.Invoke(touched.RouteIds);
    }

    /// <summary>The routes one write touches, each edited through one builder and swapped in once.</summary>
    private sealed class RouteChanges
    {
        private readonly Dictionary<string, ImmutableDictionary<string, TunnelEndpoint>.Builder> _builders = new(StringComparer.Ordinal);

        public IReadOnlyCollection<string> RouteIds => _builders.Keys;

        public ImmutableDictionary<string, TunnelEndpoint>.Builder Builder(string routeId, ConcurrentDictionary<string, ImmutableDictionary<string, TunnelEndpoint>> routes)
        {
            if (!_builders.TryGetValue(routeId, out var builder))
            {
                var current = routes.GetValueOrDefault(routeId) ?? ImmutableDictionary.Create<string, TunnelEndpoint>(StringComparer.Ordinal);
                _builders[routeId] = builder = current.ToBuilder();
            }
            return builder;
        }

        public void Commit(ConcurrentDictionary<string, ImmutableDictionary<string, TunnelEndpoint>> routes)
        {
            foreach (var (routeId, builder) in _builders)
            {
                if (builder.Count == 0) routes.TryRemove(routeId, out _);
                else routes[routeId] = builder.ToImmutable();
            }
        }
    }
}
