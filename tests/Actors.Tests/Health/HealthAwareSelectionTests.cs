using Gateway.Actors.Health;
using Gateway.Contracts.Tunnels;
using Xunit;

namespace Gateway.Actors.Tests.Health;

public sealed class HealthAwareSelectionTests
{
    private static HealthSelection<(string Id, EndpointHealth Health)> Select(double threshold, params EndpointHealth[] health)
        => HealthAwareSelection.Select(health.Select((h, i) => (Id: $"e{i}", Health: h)).ToList(), e => e.Health, routeHasChecks: true, threshold);

    private static string Ids(HealthSelection<(string Id, EndpointHealth Health)> s) => string.Join(",", s.Endpoints.Select(e => e.Id));

    [Fact]
    public void A_route_without_checks_uses_every_endpoint()
    {
        var all = HealthAwareSelection.Select(new[] { EndpointHealth.Unknown, EndpointHealth.Unhealthy }, h => h, routeHasChecks: false, 50);
        Assert.Equal(2, all.Endpoints.Count);
        Assert.False(all.Panic);
    }

    [Fact]
    public void Healthy_endpoints_take_the_traffic_and_unhealthy_ones_none()
    {
        var s = Select(50, EndpointHealth.Healthy, EndpointHealth.Unhealthy);
        Assert.Equal("e0", Ids(s));
        Assert.False(s.Panic);
    }

    [Fact]
    public void Degraded_endpoints_are_used_only_when_no_healthy_one_is_left()
    {
        Assert.Equal("e0", Ids(Select(50, EndpointHealth.Healthy, EndpointHealth.Degraded)));
        Assert.Equal("e0,e1", Ids(Select(50, EndpointHealth.Degraded, EndpointHealth.Degraded, EndpointHealth.Unhealthy)));
    }

    [Fact]
    public void Below_the_panic_threshold_every_endpoint_is_used()
    {
        // 1 of 3 passing: 33% < 50%
        var s = Select(50, EndpointHealth.Healthy, EndpointHealth.Unhealthy, EndpointHealth.Unknown);
        Assert.True(s.Panic);
        Assert.Equal("e0,e1,e2", Ids(s));
        // none passing: panic too, so the route keeps trying its endpoints
        Assert.True(Select(50, EndpointHealth.Unhealthy).Panic);
        // exactly at the threshold is not panic (Envoy compares with <)
        Assert.False(Select(50, EndpointHealth.Healthy, EndpointHealth.Unhealthy).Panic);
    }

    [Fact]
    public void A_threshold_of_zero_never_panics_and_leaves_nothing_when_none_passes()
    {
        var s = Select(0, EndpointHealth.Unhealthy, EndpointHealth.Unknown);
        Assert.False(s.Panic);
        Assert.Empty(s.Endpoints);
    }

    [Fact]
    public void Rollup_is_healthy_only_when_every_check_passes()
    {
        Assert.Equal(EndpointHealth.Healthy, EndpointHealthRollup.Combine([EndpointHealth.Healthy, EndpointHealth.Healthy]));
        Assert.Equal(EndpointHealth.Degraded, EndpointHealthRollup.Combine([EndpointHealth.Healthy, EndpointHealth.Degraded]));
        Assert.Equal(EndpointHealth.Unknown, EndpointHealthRollup.Combine([EndpointHealth.Healthy, EndpointHealth.Unknown]));
        Assert.Equal(EndpointHealth.Unhealthy, EndpointHealthRollup.Combine([EndpointHealth.Unknown, EndpointHealth.Unhealthy, EndpointHealth.Healthy]));
        Assert.Equal(EndpointHealth.Unknown, EndpointHealthRollup.Combine([]));
    }
}
