namespace Gateway.Actors.Health;

/// <summary>
/// A route's health checks as a session actor runs them through its tunnels: each check's timing
/// with the checker that speaks its protocol, and the route's <c>to</c> URLs, which the probes of
/// one endpoint take in turn (round robin, as downstream connections do).
/// </summary>
public sealed record RouteHealthChecks(IReadOnlyList<RouteHealthCheck> Checks, IReadOnlyList<HealthProbeTarget> Targets);

/// <summary>One <c>health_checks</c> entry: its kind for messages ("http", "grpc", "tcp"), timing and checker.</summary>
public sealed record RouteHealthCheck(string Kind, HealthCheckTiming Timing, IHealthChecker Checker);

/// <summary>What a session actor needs to run health checks: the probe opener and the node's traffic record.</summary>
public sealed record SessionHealth(IHealthProbeOpener Opener, RouteTraffic Traffic);
