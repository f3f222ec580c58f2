using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Health.Support;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Health;

/// <summary>
/// Probing ends with the endpoint: a forward cancelled on a real OpenSSH ControlMaster
/// (<c>ssh -O cancel -R</c>) or a client that goes away stops the endpoint's checks, so its local
/// service sees no probe after a short bound; a forward made again on the same connection is
/// probed by one health check actor, at the same rate as before (none was left behind).
/// </summary>
public sealed class HealthCheckStopTests : IAsyncLifetime
{
    private const string Host = "stop-hc.example.com";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    /// <summary>How long after the endpoint ended a probe already under way may still arrive.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);
    /// <summary>How long the service is watched for probes that should not come (over ten intervals).</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private HealthUpstream _app = null!;
    private TunnelScenario _scenario = null!;

    public HealthCheckStopTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _app = await HealthUpstream.StartAsync();
        // to points nowhere; the dynamic test's -R 0 needs it to reach the service, the static
        // one ignores it, so both use the service's address.
        _scenario = await TunnelScenario.StartAsync(_dir, new ScenarioRoute(Host, $"http://127.0.0.1:{_app.EndPoint.Port}", Extra: """
            health_checks = [{
              http_health_check = { path = "/health" }
              timeout = 1s
              interval = 100ms
              no_traffic_interval = 100ms
              unhealthy_threshold = 1
              healthy_threshold = 1
            }]
            """));
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _app.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_cancelled_forward_is_no_longer_probed_and_a_new_one_gets_one_checker()
    {
        var node = _scenario.Node;
        var control = Path.Combine(_dir.Path, "ctl");
        var forward = $"{Host}:443:127.0.0.1:{_app.EndPoint.Port}";
        var master = await _scenario.StartTunnelAsync("alice", "-M", "-S", control, "-N", "-v", "-R", forward);
        Assert.True(await node.WaitForLogAsync($"http health check for {Host}: UNKNOWN -> HEALTHY", Timeout), node.Log);
        var rateBefore = await ProbesDuringAsync(TimeSpan.FromSeconds(2));
        Assert.True(rateBefore >= 5, $"{rateBefore} probes in 2 s at interval = 100ms");

        var cancel = await _scenario.StartCancelAsync("alice", control, forward);
        Assert.True(cancel.ExitCode == 0, $"ssh -O cancel failed: {cancel.Stderr}");
        await AssertProbingStoppedAsync();
        Assert.False(master.HasExited, "the master connection stays up after the cancel");

        // The same forward again on the same connection: the same endpoint id, a fresh checker
        // (UNKNOWN again) and only one: a checker left behind would double the rate.
        var again = await _scenario.StartForwardAsync("alice", control, forward);
        Assert.True(again.ExitCode == 0, $"ssh -O forward failed: {again.Stderr}");
        Assert.True(await HealthLog.WaitForCountAsync(node, $"http health check for {Host}: ", "UNKNOWN -> HEALTHY", 2, Timeout), node.Log);
        var rateAfter = await ProbesDuringAsync(TimeSpan.FromSeconds(2));
        _output.WriteLine($"probes in 2 s: {rateBefore} before the cancel, {rateAfter} after the forward was made again");
        // Every checker logs its own first result: a second one left behind would be a third UNKNOWN -> HEALTHY.
        Assert.Equal(2, HealthLog.Count(node, $"http health check for {Host}: ", "UNKNOWN -> HEALTHY"));
        // One checker waits interval between probes, so it cannot exceed 2 s / 100 ms (the rate itself varies with the machine's load).
        Assert.True(rateAfter <= 22, $"{rateAfter} probes in 2 s after the forward was made again ({rateBefore} before): more than one checker's worth");
    }

    [Fact]
    public async Task A_client_that_goes_away_is_no_longer_probed()
    {
        var node = _scenario.Node;
        var ssh = await _scenario.StartTunnelAsync("alice", "-N", "-v", "-R", "0");
        Assert.True(await node.WaitForLogAsync($"http health check for {Host}: UNKNOWN -> HEALTHY", Timeout), node.Log);
        Assert.True(await HealthLog.WaitUntilAsync(() => _app.ConnectionsOpened >= 3, Timeout));

        await ssh.DisposeAsync(); // kill: the node sees the TCP connection end
        await AssertProbingStoppedAsync();
        await _app.WaitForAllClosedAsync(Timeout);
    }

    private async Task<int> ProbesDuringAsync(TimeSpan window)
    {
        var start = _app.ConnectionsOpened;
        await Task.Delay(window);
        return _app.ConnectionsOpened - start;
    }

    private async Task AssertProbingStoppedAsync()
    {
        await Task.Delay(Settle);
        var settled = _app.ConnectionsOpened;
        await Task.Delay(Quiet);
        Assert.True(settled == _app.ConnectionsOpened,
            $"{_app.ConnectionsOpened - settled} probe(s) reached the service {Settle.TotalSeconds:0.#} s and more after the endpoint ended\n{_scenario.Node.Log}");
    }
}
