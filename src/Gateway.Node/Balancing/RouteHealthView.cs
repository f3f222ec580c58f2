using Gateway.Actors.Endpoints;
using Gateway.Contracts.Tunnels;
using Gateway.Node.Http;
using Gateway.Node.Routing;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Balancing;

/// <summary>
/// <see cref="EndpointAvailability"/> over this node's endpoint table, for the parts of the request
/// path that choose an endpoint outside YARP's load balancer (the dialer's fallbacks, the retry's
/// stand-ins, the fail-fast answer) and for <c>/status</c>. Passive marks are YARP's passive
/// health of the endpoint's destination for the requested <c>to</c> and the endpoint suspects.
/// </summary>
public sealed class RouteHealthView(RouteTable routes, EndpointTable endpoints, EndpointSuspects suspects, ProxyHealthState proxy)
{
    /// <summary>The index of <paramref name="upstream"/> among the route's <c>to</c> URLs (0 when not found).</summary>
    public int ToIndex(string routeId, Uri upstream)
    {
        var route = routes.Find(routeId);
        if (route is null) return 0;
        for (var i = 0; i < route.HttpUpstreams.Count; i++)
            if (route.HttpUpstreams[i].Url == upstream) return i;
        return 0;
    }

    public bool HasHealthChecks(string routeId) => routes.Find(routeId)?.HasHealthChecks == true;

    /// <summary>
    /// Which endpoints of the route may take a connection to its <paramref name="toIndex"/>-th
    /// <c>to</c>: <see cref="RouteEndpointChoice.Preferred"/> with passive marks,
    /// <see cref="RouteEndpointChoice.Allowed"/> by health alone (tried last, as a suspected endpoint
    /// is today: a passive mark is a guess, the health checks' verdict is not).
    /// </summary>
    public RouteEndpointChoice Choose(string routeId, int toIndex)
    {
        var route = routes.Find(routeId);
        var all = endpoints.Get(routeId);
        var hasChecks = route?.HasHealthChecks == true;
        var threshold = route?.HealthyPanicThreshold ?? HealthyPanicDefault;
        var ejected = proxy.Ejected(routeId);
        var preferred = EndpointAvailability.Select(all, e => e.Health,
            e => suspects.IsSuspect(e) || ejected.Contains(ProxyConfigBuilder.DestinationId(e.EndpointId, toIndex)), hasChecks, threshold);
        var allowed = EndpointAvailability.Select(all, e => e.Health, _ => false, hasChecks, threshold);
        return new RouteEndpointChoice(
            preferred.Endpoints.Select(e => e.EndpointId).ToHashSet(StringComparer.Ordinal),
            allowed.Endpoints.Select(e => e.EndpointId).ToHashSet(StringComparer.Ordinal),
            FailingHealthChecks: all.Length > 0 && allowed.Endpoints.Count == 0);
    }

    /// <summary>
    /// True when the route has endpoints and health checks and none of its endpoints may take a
    /// request (only with <c>healthy_panic_threshold = 0</c>): the request is answered 503 at once.
    /// </summary>
    public bool IsFailingHealthChecks(string routeId)
    {
        var route = routes.Find(routeId);
        if (route is null || !route.HasHealthChecks) return false;
        var all = endpoints.Get(routeId);
        return all.Length > 0 && EndpointAvailability.Select(all, e => e.Health, _ => false, true, route.HealthyPanicThreshold).Endpoints.Count == 0;
    }

    /// <summary>The route's health as one figure (for <c>/status</c> and metrics) and the endpoints passively ejected on this node.</summary>
    public RouteHealthFigure Figure(string routeId)
    {
        var route = routes.Find(routeId);
        var all = endpoints.Get(routeId);
        var ejected = proxy.Ejected(routeId);
        var ejectedEndpoints = ejected.Select(ProxyConfigBuilder.EndpointOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var hasChecks = route?.HasHealthChecks == true;
        var selection = EndpointAvailability.Select(all, e => e.Health, e => suspects.IsSuspect(e) || ejectedEndpoints.Contains(e.EndpointId),
            hasChecks, route?.HealthyPanicThreshold ?? HealthyPanicDefault);
        return new RouteHealthFigure(
            Healthy: all.Count(e => e.Health == EndpointHealth.Healthy),
            Degraded: all.Count(e => e.Health == EndpointHealth.Degraded),
            Unhealthy: all.Count(e => e.Health == EndpointHealth.Unhealthy),
            Unknown: all.Count(e => e.Health == EndpointHealth.Unknown),
            Ejected: ejectedEndpoints,
            Available: selection.Endpoints.Count,
            Panic: selection.Panic);
    }

    private const double HealthyPanicDefault = Gateway.Config.RouteConfig.DefaultHealthyPanicThreshold;
}

/// <param name="Preferred">the endpoints to try first (health and passive marks)</param>
/// <param name="Allowed">the endpoints health allows at all; a superset of <paramref name="Preferred"/></param>
/// <param name="FailingHealthChecks">the route has endpoints and health allows none of them</param>
public sealed record RouteEndpointChoice(IReadOnlySet<string> Preferred, IReadOnlySet<string> Allowed, bool FailingHealthChecks);

/// <summary>Counts per health state, endpoints passively ejected on this node, how many may take requests, and whether the route is in panic.</summary>
public sealed record RouteHealthFigure(int Healthy, int Degraded, int Unhealthy, int Unknown, IReadOnlySet<string> Ejected, int Available, bool Panic);
