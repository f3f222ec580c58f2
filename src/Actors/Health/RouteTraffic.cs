using System.Collections.Concurrent;

namespace Gateway.Actors.Health;

/// <summary>
/// Which routes have carried a downstream connection through this node's tunnels since it started
/// (local requests and requests relayed from other nodes alike): Envoy's "cluster has had
/// traffic", which decides whether a check runs at <c>interval</c> or <c>no_traffic_interval</c>.
/// Thread-safe: the dialer marks, health check actors read.
/// </summary>
public sealed class RouteTraffic
{
    private readonly ConcurrentDictionary<string, bool> _used = new(StringComparer.Ordinal);

    public void MarkUsed(string routeId) => _used.TryAdd(routeId, true);

    public bool HasTraffic(string routeId) => _used.ContainsKey(routeId);
}
