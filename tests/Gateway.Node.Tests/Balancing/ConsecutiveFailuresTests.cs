using Gateway.Node.Balancing;

namespace Gateway.Node.Tests.Balancing;

public sealed class ConsecutiveFailuresTests
{
    [Fact]
    public void The_threshold_th_failure_in_a_row_trips_and_a_success_resets()
    {
        var failures = new ConsecutiveFailures(3);
        Assert.False(failures.Failure("d"));
        Assert.False(failures.Failure("d"));
        failures.Success("d");
        Assert.False(failures.Failure("d"));
        Assert.False(failures.Failure("d"));
        Assert.True(failures.Failure("d"));
        // Counting starts again after a trip; other keys are separate.
        Assert.Equal(0, failures.CountOf("d"));
        Assert.False(failures.Failure("other"));
    }
}
