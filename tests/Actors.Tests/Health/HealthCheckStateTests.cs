using Gateway.Actors.Health;
using Gateway.Contracts.Tunnels;
using Xunit;

namespace Gateway.Actors.Tests.Health;

public sealed class HealthCheckStateTests
{
    [Fact]
    public void A_new_endpoint_is_unknown_and_one_pass_makes_it_healthy_whatever_the_threshold()
    {
        var state = new HealthCheckState(unhealthyThreshold: 3, healthyThreshold: 5);
        Assert.Equal(EndpointHealth.Unknown, state.Health);
        Assert.True(state.Apply(ProbeVerdict.Pass));
        Assert.Equal(EndpointHealth.Healthy, state.Health);
        Assert.Equal(HealthEdge.BecameHealthy, state.LastEdge);
    }

    [Fact]
    public void A_new_endpoint_whose_first_probe_fails_is_unhealthy_at_once()
    {
        var state = new HealthCheckState(unhealthyThreshold: 3, healthyThreshold: 2);
        Assert.True(state.Apply(ProbeVerdict.Fail));
        Assert.Equal(EndpointHealth.Unhealthy, state.Health);
        Assert.Equal(HealthEdge.BecameUnhealthy, state.LastEdge);
    }

    [Fact]
    public void A_healthy_endpoint_turns_unhealthy_after_unhealthy_threshold_consecutive_failures()
    {
        var state = new HealthCheckState(unhealthyThreshold: 3, healthyThreshold: 2);
        state.Apply(ProbeVerdict.Pass);
        Assert.False(state.Apply(ProbeVerdict.Fail));
        Assert.False(state.Apply(ProbeVerdict.Fail));
        Assert.False(state.Apply(ProbeVerdict.Pass)); // a pass in between starts the count again
        Assert.False(state.Apply(ProbeVerdict.Fail));
        Assert.False(state.Apply(ProbeVerdict.Fail));
        Assert.Equal(EndpointHealth.Healthy, state.Health);
        Assert.True(state.Apply(ProbeVerdict.Fail));
        Assert.Equal(EndpointHealth.Unhealthy, state.Health);
        Assert.Equal(HealthEdge.BecameUnhealthy, state.LastEdge);
        Assert.False(state.Apply(ProbeVerdict.Fail));
        Assert.Equal(HealthEdge.None, state.LastEdge);
    }

    [Fact]
    public void An_unexpected_status_makes_a_healthy_endpoint_unhealthy_at_once()
    {
        var state = new HealthCheckState(unhealthyThreshold: 5, healthyThreshold: 1);
        state.Apply(ProbeVerdict.Pass);
        Assert.True(state.Apply(ProbeVerdict.FailImmediately));
        Assert.Equal(EndpointHealth.Unhealthy, state.Health);
    }

    [Fact]
    public void An_unhealthy_endpoint_comes_back_after_healthy_threshold_consecutive_passes()
    {
        var state = new HealthCheckState(unhealthyThreshold: 1, healthyThreshold: 3);
        state.Apply(ProbeVerdict.Pass);
        state.Apply(ProbeVerdict.Fail);
        Assert.False(state.Apply(ProbeVerdict.Pass));
        Assert.False(state.Apply(ProbeVerdict.Pass));
        Assert.False(state.Apply(ProbeVerdict.Fail)); // starts the count again
        Assert.False(state.Apply(ProbeVerdict.Pass));
        Assert.False(state.Apply(ProbeVerdict.Pass));
        Assert.Equal(EndpointHealth.Unhealthy, state.Health);
        Assert.True(state.Apply(ProbeVerdict.Pass));
        Assert.Equal(EndpointHealth.Healthy, state.Health);
        Assert.Equal(HealthEdge.BecameHealthy, state.LastEdge);
    }

    [Fact]
    public void Degraded_is_a_passing_state_set_and_cleared_by_each_pass()
    {
        var state = new HealthCheckState(unhealthyThreshold: 2, healthyThreshold: 2);
        Assert.True(state.Apply(ProbeVerdict.PassDegraded));
        Assert.Equal(EndpointHealth.Degraded, state.Health);
        Assert.True(state.Apply(ProbeVerdict.Pass));
        Assert.Equal(EndpointHealth.Healthy, state.Health);
        Assert.True(state.Apply(ProbeVerdict.PassDegraded));
        Assert.False(state.Apply(ProbeVerdict.Fail)); // one failure of two: still passing, still degraded
        Assert.Equal(EndpointHealth.Degraded, state.Health);
        Assert.True(state.Apply(ProbeVerdict.Fail));
        Assert.Equal(EndpointHealth.Unhealthy, state.Health);
    }
}
