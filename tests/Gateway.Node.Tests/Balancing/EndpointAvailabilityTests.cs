using Gateway.Contracts.Tunnels;
using Gateway.Node.Balancing;

namespace Gateway.Node.Tests.Balancing;

public sealed class EndpointAvailabilityTests
{
    private sealed record E(string Id, EndpointHealth Health, bool Marked = false);

    private static string[] Select(IReadOnlyList<E> items, bool checks, double threshold, out bool panic)
    {
        var selection = EndpointAvailability.Select(items, e => e.Health, e => e.Marked, checks, threshold);
        panic = selection.Panic;
        return [.. selection.Endpoints.Select(e => e.Id)];
    }

    [Fact]
    public void Without_checks_passive_marks_leave_endpoints_out_but_never_all_of_them()
    {
        Assert.Equal(["b"], Select([new("a", EndpointHealth.Unknown, true), new("b", EndpointHealth.Unknown)], checks: false, 50, out var panic));
        Assert.False(panic);
        Assert.Equal(["a", "b"], Select([new("a", EndpointHealth.Unknown, true), new("b", EndpointHealth.Unknown, true)], checks: false, 0, out _));
        Assert.Equal(["a", "b"], Select([new("a", EndpointHealth.Unhealthy), new("b", EndpointHealth.Unknown)], checks: false, 0, out _));
    }

    [Fact]
    public void With_checks_a_passive_mark_counts_as_unhealthy()
    {
        // Two healthy, one marked: 50% pass, not below the threshold: the unmarked one only.
        Assert.Equal(["b"], Select([new("a", EndpointHealth.Healthy, true), new("b", EndpointHealth.Healthy)], checks: true, 50, out var panic));
        Assert.False(panic);
        // Three healthy, two marked: 33% < 50%: panic, all three.
        Assert.Equal(["a", "b", "c"], Select([new("a", EndpointHealth.Healthy, true), new("b", EndpointHealth.Healthy, true), new("c", EndpointHealth.Healthy)], checks: true, 50, out panic));
        Assert.True(panic);
    }

    [Fact]
    public void Passive_marks_alone_never_empty_a_route_even_without_panic()
    {
        // Threshold 0, the only healthy endpoint marked: health still allows it.
        Assert.Equal(["a"], Select([new("a", EndpointHealth.Healthy, true), new("b", EndpointHealth.Unhealthy)], checks: true, 0, out var panic));
        Assert.False(panic);
    }

    [Fact]
    public void Threshold_zero_and_nothing_passing_gives_none()
    {
        Assert.Empty(Select([new("a", EndpointHealth.Unhealthy), new("b", EndpointHealth.Unknown)], checks: true, 0, out var panic));
        Assert.False(panic);
    }

    [Fact]
    public void Unknown_counts_as_not_passing_until_the_first_check()
    {
        Assert.Equal(["b"], Select([new("a", EndpointHealth.Unknown), new("b", EndpointHealth.Healthy)], checks: true, 50, out _));
        // A lone new endpoint: 0% pass, panic at the default threshold, none at 0.
        Assert.Equal(["a"], Select([new("a", EndpointHealth.Unknown)], checks: true, 50, out var panic));
        Assert.True(panic);
        Assert.Empty(Select([new("a", EndpointHealth.Unknown)], checks: true, 0, out _));
    }

    [Fact]
    public void Degraded_only_when_no_healthy_one_is_left()
    {
        Assert.Equal(["a"], Select([new("a", EndpointHealth.Healthy), new("b", EndpointHealth.Degraded)], checks: true, 50, out _));
        Assert.Equal(["b"], Select([new("a", EndpointHealth.Healthy, true), new("b", EndpointHealth.Degraded)], checks: true, 50, out _));
    }
}
