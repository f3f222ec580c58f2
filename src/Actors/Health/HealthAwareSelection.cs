using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Health;

/// <summary>
/// Which of a route's endpoints may take a request, by their health and the route's
/// <c>healthy_panic_threshold</c> (percent, Envoy's default 50). A route without health checks uses
/// every endpoint. Otherwise, when healthy and degraded endpoints together are fewer than the
/// threshold's share of all, the route is in panic and every endpoint is used, as Envoy does (this
/// includes the case where none passes); else the healthy ones, or the degraded ones when no
/// healthy one is left. With a threshold of 0 there is no panic: no passing endpoint means none at
/// all, and the request is answered 503 at once.
/// </summary>
/// <remarks>
/// Envoy spreads part of the load to degraded hosts already while the healthy ones are fewer than
/// 1/1.4 of all (its overprovisioning factor); here degraded endpoints wait until no healthy one is
/// left, which is simpler to predict.
/// </remarks>
public static class HealthAwareSelection
{
    public const int DefaultPanicThresholdPercent = 50;

    public static HealthSelection<T> Select<T>(IReadOnlyList<T> endpoints, Func<T, EndpointHealth> health, bool routeHasChecks, double panicThresholdPercent)
    {
        if (!routeHasChecks || endpoints.Count == 0) return new(endpoints, Panic: false);
        var healthy = new List<T>();
        var degraded = new List<T>();
        foreach (var endpoint in endpoints)
        {
            switch (health(endpoint))
            {
                case EndpointHealth.Healthy: healthy.Add(endpoint); break;
                case EndpointHealth.Degraded: degraded.Add(endpoint); break;
            }
        }
        var availablePercent = 100.0 * (healthy.Count + degraded.Count) / endpoints.Count;
        if (availablePercent < panicThresholdPercent) return new(endpoints, Panic: true);
        return new(healthy.Count > 0 ? healthy : degraded, Panic: false);
    }
}

/// <summary>The endpoints that may take a request; <see cref="Panic"/> when health was disregarded.</summary>
public sealed record HealthSelection<T>(IReadOnlyList<T> Endpoints, bool Panic);
