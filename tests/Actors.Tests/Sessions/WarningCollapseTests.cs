using Gateway.Actors.Sessions;

namespace Gateway.Actors.Tests.Sessions;

public class WarningCollapseTests
{
    private static readonly DateTime T0 = new(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_first_occurrence_is_shown_repeats_within_the_interval_are_counted_and_the_next_one_after_it_shows_the_count()
    {
        var collapse = new WarningCollapse(TimeSpan.FromSeconds(60));
        Assert.Equal(1, collapse.Occur("fwd", T0));
        for (var i = 1; i <= 5; i++) Assert.Null(collapse.Occur("fwd", T0.AddSeconds(i * 10 - 1)));
        Assert.Equal(7, collapse.Occur("fwd", T0.AddSeconds(60)));
        Assert.Null(collapse.Occur("fwd", T0.AddSeconds(61)));
        Assert.Equal(9, collapse.Occur("fwd", T0.AddSeconds(121)));
    }

    [Fact]
    public void Keys_are_independent_and_a_forgotten_key_starts_afresh()
    {
        var collapse = new WarningCollapse(TimeSpan.FromSeconds(60));
        Assert.Equal(1, collapse.Occur("a", T0));
        Assert.Equal(1, collapse.Occur("b", T0));
        Assert.Null(collapse.Occur("a", T0.AddSeconds(1)));
        collapse.Forget("a");
        Assert.Equal(1, collapse.Occur("a", T0.AddSeconds(2)));
    }

    [Fact]
    public void The_suffix_names_the_count_from_the_second_showing_on()
    {
        Assert.Equal("", WarningCollapse.Suffix(1));
        Assert.Equal(" (seen 7 times)", WarningCollapse.Suffix(7));
        var rendered = MismatchDiagnostic.ForDynamicExpectingStatic(
            new ForwardPermission(HostPattern.Glob("https-*"), 0, 0, ForwardKind.Dynamic, 0),
            new RouteAddress("https-a.example.com", RouteScheme.Https), "127.0.0.1:80").Render(WarningCollapse.Suffix(3));
        Assert.StartsWith("warning: ssh client may be expecting static port-forwarding (seen 3 times)\n   hint: ", rendered, StringComparison.Ordinal);
    }
}
