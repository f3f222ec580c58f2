using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Health;

/// <summary>
/// When the next probe of one check runs, with Envoy's intervals: the first after a random part
/// of <c>initial_jitter</c>; while the route has carried no traffic on this node
/// <c>no_traffic_interval</c> (60 s by default; <c>no_traffic_healthy_interval</c> for a passing
/// endpoint when set); then <c>unhealthy_edge_interval</c> right after an endpoint turned
/// unhealthy, <c>unhealthy_interval</c> while it stays so, <c>healthy_edge_interval</c> right after
/// it turned healthy, else <c>interval</c>; every one of them plus a random part of
/// <c>interval_jitter</c> and of <c>interval_jitter_percent</c> of the base.
/// </summary>
public sealed class HealthCheckSchedule(HealthCheckTiming config, Random? random = null)
{
    public static readonly TimeSpan DefaultNoTrafficInterval = TimeSpan.FromSeconds(60);

    private readonly Random _random = random ?? Random.Shared;

    public TimeSpan First() => Part(config.InitialJitter);

    public TimeSpan Next(HealthCheckState state, bool routeHadTraffic)
    {
        var passing = state.Health is EndpointHealth.Healthy or EndpointHealth.Degraded;
        TimeSpan baseInterval;
        if (!routeHadTraffic)
            baseInterval = passing && config.NoTrafficHealthyInterval is { } healthyIdle ? healthyIdle : config.NoTrafficInterval ?? DefaultNoTrafficInterval;
        else if (state.Health == EndpointHealth.Unhealthy)
            baseInterval = state.LastEdge == HealthEdge.BecameUnhealthy
                ? config.UnhealthyEdgeInterval ?? config.UnhealthyInterval ?? config.Interval
                : config.UnhealthyInterval ?? config.Interval;
        else
            baseInterval = state.LastEdge == HealthEdge.BecameHealthy ? config.HealthyEdgeInterval ?? config.Interval : config.Interval;

        var jitter = Part(config.IntervalJitter);
        if (config.IntervalJitterPercent is > 0 and var percent)
            jitter += Part(baseInterval * percent / 100.0);
        return baseInterval + jitter;
    }

    /// <summary>A random duration in [0, bound).</summary>
    private TimeSpan Part(TimeSpan? bound)
        => bound is { Ticks: > 0 } b ? TimeSpan.FromTicks((long)(_random.NextDouble() * b.Ticks)) : TimeSpan.Zero;
}
