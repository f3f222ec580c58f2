using System.Collections.Concurrent;
using System.Collections.Immutable;
using Gateway.Contracts.Messages;
using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Routes;

/// <summary>
/// This node's replica of every route's endpoint set. Route actors are its writers (through
/// <see cref="EndpointTableActor"/>); the request path reads it without any actor hop, so a
/// request never waits for a route actor that may be moving between nodes.
/// </summary>
public sealed class EndpointTable
{
    private readonly ConcurrentDictionary<string, RouteEntry> _routes = new(StringComparer.Ordinal);

    /// <summary>Raised after a route's endpoint set changed (the HTTP side updates its destinations).</summary>
    public event Action<string, ImmutableArray<TunnelEndpoint>>? Changed;

    public ImmutableArray<TunnelEndpoint> Get(string routeId)
        => _routes.TryGetValue(routeId, out var entry) ? entry.Endpoints : [];

    public IReadOnlyDictionary<string, ImmutableArray<TunnelEndpoint>> Snapshot()
        => _routes.ToDictionary(kv => kv.Key, kv => kv.Value.Endpoints);

    public TunnelEndpoint? Find(string routeId, string endpointId)
    {
        foreach (var endpoint in Get(routeId))
            if (endpoint.EndpointId == endpointId) return endpoint;
        return null;
    }

    /// <summary>Applies an update unless an equal or newer one from the same route actor was seen.</summary>
    public bool Apply(RouteEndpointsUpdated update)
    {
        while (true)
        {
            var current = _routes.GetValueOrDefault(update.RouteId);
            if (current is not null && current.Incarnation == update.Incarnation && current.Version >= update.Version)
                return false;
            var next = new RouteEntry(update.Incarnation, update.Version, update.Endpoints);
            var stored = current is null ? _routes.TryAdd(update.RouteId, next) : _routes.TryUpdate(update.RouteId, next, current);
            if (!stored) continue;
            if (current is null || !current.Endpoints.SequenceEqual(update.Endpoints))
                Changed?.Invoke(update.RouteId, update.Endpoints);
            return true;
        }
    }

    /// <summary>Drops at once every endpoint held by a node that became unreachable or left.</summary>
    public void PruneNode(string nodeAddress)
    {
        foreach (var (routeId, entry) in _routes)
        {
            if (!entry.Endpoints.Any(e => e.NodeAddress == nodeAddress)) continue;
            var kept = entry.Endpoints.Where(e => e.NodeAddress != nodeAddress).ToImmutableArray();
            if (_routes.TryUpdate(routeId, entry with { Endpoints = kept }, entry))
                Changed?.Invoke(routeId, kept);
        }
    }

    private sealed record RouteEntry(string Incarnation, long Version, ImmutableArray<TunnelEndpoint> Endpoints);
}
