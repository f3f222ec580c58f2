using Gateway.Actors.Health;
using Gateway.Contracts.Tunnels;

namespace Gateway.Node.Balancing;

/// <summary>
/// The one rule for which of a route's endpoints (or destinations) may take a request, from two
/// inputs: the endpoint's health as its checks found it (active, the same on every node) and
/// whether this node saw it fail just now (passive: ejected by outlier detection, or suspected for
/// opening too slowly).
/// <list type="bullet">
/// <item>A route with health checks: a passively failing endpoint counts as unhealthy, and
/// <see cref="HealthAwareSelection"/> applies (healthy, else degraded, panic below the threshold).</item>
/// <item>A route without checks: the endpoints not passively failing.</item>
/// <item>Passive marks alone never leave a route without endpoints (Envoy's
/// <c>max_ejection_percent</c> idea): when they would, they are disregarded, and only the active
/// health (if any) decides.</item>
/// </list>
/// </summary>
public static class EndpointAvailability
{
    public static HealthSelection<T> Select<T>(IReadOnlyList<T> items, Func<T, EndpointHealth> health, Func<T, bool> passivelyFailing,
        bool routeHasChecks, double panicThresholdPercent)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) return new(items, Panic: false);
        if (!routeHasChecks)
        {
            List<T>? unmarked = null;
            for (var i = 0; i < items.Count; i++)
            {
                if (passivelyFailing(items[i]))
                    unmarked ??= [.. items.Take(i)];
                else
                    unmarked?.Add(items[i]);
            }
            return new(unmarked is null || unmarked.Count == 0 ? items : unmarked, Panic: false);
        }
        var withPassive = HealthAwareSelection.Select(items, i => passivelyFailing(i) ? EndpointHealth.Unhealthy : health(i), true, panicThresholdPercent);
        if (withPassive.Endpoints.Count > 0) return withPassive;
        return HealthAwareSelection.Select(items, health, true, panicThresholdPercent);
    }
}
