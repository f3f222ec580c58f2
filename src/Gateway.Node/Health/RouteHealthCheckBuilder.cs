using Gateway.Actors.Health;
using Gateway.Config;
using Gateway.Node.Routing;

namespace Gateway.Node.Health;

/// <summary>
/// A route's <c>health_checks</c> as the session actors run them: a checker and timing per entry
/// and the route's <c>to</c> URLs as probe targets. Null for a route without checks, and for ssh
/// routes, whose <c>to</c> is not an HTTP upstream (their checks are not run; see docs/health-checks.md).
/// </summary>
public static class RouteHealthCheckBuilder
{
    public static RouteHealthChecks? Build(RouteModel route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.HealthChecks.Count == 0 || route.HttpUpstreams.Count == 0) return null;
        var checks = route.HealthChecks.Select(c => new RouteHealthCheck(Kind(c), Timing(c), HealthCheckerFactory.Create(c))).ToList();
        var targets = route.HttpUpstreams.Select(u => new HealthProbeTarget(u.Url, route.TlsServerName, route.TlsSkipVerify)).ToList();
        return new RouteHealthChecks(checks, targets);
    }

    public static HealthCheckTiming Timing(HealthCheckConfig c) => new()
    {
        Timeout = c.Timeout,
        Interval = c.Interval,
        UnhealthyThreshold = c.UnhealthyThreshold,
        HealthyThreshold = c.HealthyThreshold,
        InitialJitter = c.InitialJitter,
        IntervalJitter = c.IntervalJitter,
        IntervalJitterPercent = c.IntervalJitterPercent,
        NoTrafficInterval = c.NoTrafficInterval,
        NoTrafficHealthyInterval = c.NoTrafficHealthyInterval,
        UnhealthyInterval = c.UnhealthyInterval,
        UnhealthyEdgeInterval = c.UnhealthyEdgeInterval,
        HealthyEdgeInterval = c.HealthyEdgeInterval,
        AlwaysLogSuccess = c.AlwaysLogHealthCheckSuccess,
        AlwaysLogFailures = c.AlwaysLogHealthCheckFailures,
    };

    private static string Kind(HealthCheckConfig c) => c.Http is not null ? "http" : c.Grpc is not null ? "grpc" : "tcp";
}
