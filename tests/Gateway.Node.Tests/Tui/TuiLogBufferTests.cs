using Gateway.Node.SshSessions.Tui;

namespace Gateway.Node.Tests.Tui;

public sealed class TuiLogBufferTests
{
    private static readonly DateTime T0 = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Fact]
    public void Repeats_of_a_line_and_its_hints_collapse_with_a_count_and_the_latest_time()
    {
        var logs = new LogBuffer();
        for (var i = 0; i < 3; i++)
        {
            logs.Add(T0.AddSeconds(i), "warning: ssh client may be expecting dynamic port-forwarding");
            logs.Add(T0.AddSeconds(i), "   hint: request port 0 instead of 443 (ex: '-R a:0')");
        }
        logs.Add(T0.AddSeconds(9), "forward \"localhost\" port D 1 (dynamic): serving a");
        Assert.Equal(
        [
            "[03:04:07Z] warning: ssh client may be expecting dynamic port-forwarding (x3)",
            "           hint: request port 0 instead of 443 (ex: '-R a:0')",
            "[03:04:14Z] forward \"localhost\" port D 1 (dynamic): serving a",
        ], logs.Lines());
    }

    [Fact]
    public void Bounded_oldest_first_out()
    {
        var logs = new LogBuffer();
        for (var i = 0; i < LogBuffer.Limit + 10; i++) logs.Add(T0, $"line {i}");
        Assert.Equal(LogBuffer.Limit, logs.Count);
        Assert.Equal("[03:04:05Z] line 10", logs.Lines()[0]);
    }
}
