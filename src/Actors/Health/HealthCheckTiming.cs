namespace Gateway.Actors.Health;

/// <summary>
/// The timing and thresholds of one health check, as its <c>health_checks</c> entry gives them
/// (Envoy's names); built by the node from the route's config, so the actors need not know it.
/// </summary>
public sealed record HealthCheckTiming
{
    public required TimeSpan Timeout { get; init; }
    public required TimeSpan Interval { get; init; }
    public required int UnhealthyThreshold { get; init; }
    public required int HealthyThreshold { get; init; }
    public TimeSpan? InitialJitter { get; init; }
    public TimeSpan? IntervalJitter { get; init; }
    public int? IntervalJitterPercent { get; init; }
    public TimeSpan? NoTrafficInterval { get; init; }
    public TimeSpan? NoTrafficHealthyInterval { get; init; }
    public TimeSpan? UnhealthyInterval { get; init; }
    public TimeSpan? UnhealthyEdgeInterval { get; init; }
    public TimeSpan? HealthyEdgeInterval { get; init; }
    public bool AlwaysLogSuccess { get; init; }
    public bool AlwaysLogFailures { get; init; }
}
