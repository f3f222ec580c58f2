using Gateway.Actors.Health;
using Xunit;

namespace Gateway.Actors.Tests.Health;

public sealed class HealthCheckScheduleTests
{
    private static HealthCheckTiming Config(Func<HealthCheckTiming, HealthCheckTiming>? change = null)
    {
        var config = new HealthCheckTiming
        {
            Timeout = TimeSpan.FromSeconds(1),
            Interval = TimeSpan.FromSeconds(10),
            UnhealthyThreshold = 1,
            HealthyThreshold = 1,
        };
        return change is null ? config : change(config);
    }

    private static HealthCheckState StateAfter(params ProbeVerdict[] verdicts)
    {
        var state = new HealthCheckState(1, 2);
        foreach (var verdict in verdicts) state.Apply(verdict);
        return state;
    }

    [Fact]
    public void Without_jitter_the_first_probe_runs_at_once_and_the_next_after_the_interval()
    {
        var schedule = new HealthCheckSchedule(Config());
        Assert.Equal(TimeSpan.Zero, schedule.First());
        Assert.Equal(TimeSpan.FromSeconds(10), schedule.Next(StateAfter(ProbeVerdict.Pass, ProbeVerdict.Pass), routeHadTraffic: true));
    }

    [Fact]
    public void A_route_without_traffic_is_probed_every_no_traffic_interval_60_s_by_default()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), new HealthCheckSchedule(Config()).Next(StateAfter(ProbeVerdict.Pass), routeHadTraffic: false));
        var idle = new HealthCheckSchedule(Config(c => c with { NoTrafficInterval = TimeSpan.FromSeconds(3), NoTrafficHealthyInterval = TimeSpan.FromSeconds(30) }));
        Assert.Equal(TimeSpan.FromSeconds(30), idle.Next(StateAfter(ProbeVerdict.Pass), routeHadTraffic: false));
        Assert.Equal(TimeSpan.FromSeconds(3), idle.Next(StateAfter(ProbeVerdict.Fail), routeHadTraffic: false));
        Assert.Equal(TimeSpan.FromSeconds(3), idle.Next(new HealthCheckState(1, 1), routeHadTraffic: false));
    }

    [Fact]
    public void Edge_and_unhealthy_intervals_follow_the_transitions()
    {
        var schedule = new HealthCheckSchedule(Config(c => c with
        {
            UnhealthyInterval = TimeSpan.FromSeconds(4),
            UnhealthyEdgeInterval = TimeSpan.FromSeconds(1),
            HealthyEdgeInterval = TimeSpan.FromSeconds(2),
        }));
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.Next(StateAfter(ProbeVerdict.Pass, ProbeVerdict.Fail), true));
        Assert.Equal(TimeSpan.FromSeconds(4), schedule.Next(StateAfter(ProbeVerdict.Pass, ProbeVerdict.Fail, ProbeVerdict.Fail), true));
        Assert.Equal(TimeSpan.FromSeconds(2), schedule.Next(StateAfter(ProbeVerdict.Fail, ProbeVerdict.Pass, ProbeVerdict.Pass), true));
        Assert.Equal(TimeSpan.FromSeconds(10), schedule.Next(StateAfter(ProbeVerdict.Fail, ProbeVerdict.Pass, ProbeVerdict.Pass, ProbeVerdict.Pass), true));
    }

    [Fact]
    public void Unset_edge_intervals_fall_back_as_envoy_documents()
    {
        var onlyUnhealthy = new HealthCheckSchedule(Config(c => c with { UnhealthyInterval = TimeSpan.FromSeconds(4) }));
        Assert.Equal(TimeSpan.FromSeconds(4), onlyUnhealthy.Next(StateAfter(ProbeVerdict.Pass, ProbeVerdict.Fail), true));
        Assert.Equal(TimeSpan.FromSeconds(10), onlyUnhealthy.Next(StateAfter(ProbeVerdict.Fail, ProbeVerdict.Pass, ProbeVerdict.Pass), true));
        var plain = new HealthCheckSchedule(Config());
        Assert.Equal(TimeSpan.FromSeconds(10), plain.Next(StateAfter(ProbeVerdict.Pass, ProbeVerdict.Fail), true));
    }

    [Fact]
    public void Jitter_adds_a_random_part_below_each_bound()
    {
        var schedule = new HealthCheckSchedule(Config(c => c with
        {
            InitialJitter = TimeSpan.FromSeconds(2),
            IntervalJitter = TimeSpan.FromSeconds(1),
            IntervalJitterPercent = 50,
        }), new Random(7));
        var firsts = Enumerable.Range(0, 200).Select(_ => schedule.First()).ToList();
        Assert.All(firsts, f => Assert.InRange(f, TimeSpan.Zero, TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1)));
        Assert.True(firsts.Distinct().Count() > 100, "the initial jitter must vary");
        var nexts = Enumerable.Range(0, 200).Select(_ => schedule.Next(StateAfter(ProbeVerdict.Pass, ProbeVerdict.Pass), true)).ToList();
        // base 10 s + [0, 1 s) + [0, 5 s)
        Assert.All(nexts, n => Assert.InRange(n, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(16) - TimeSpan.FromTicks(1)));
        Assert.Contains(nexts, n => n > TimeSpan.FromSeconds(12));
    }
}
