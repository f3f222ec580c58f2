using System.Text.RegularExpressions;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Health.Support;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Health;

/// <summary>
/// A real node and a real OpenSSH <c>ssh -R 0</c> client whose local service's <c>/health</c>
/// flips 200 -> 500 -> 200: the node's health check actor probes through the tunnel and moves the
/// endpoint UNKNOWN -> HEALTHY -> UNHEALTHY -> HEALTHY by the thresholds, shown on the tunnel's
/// status stream and in the node log.
/// </summary>
public sealed class HealthCheckThroughTunnelTests : IAsyncLifetime
{
    private const string Host = "https-hc.example.com";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private HealthUpstream _app = null!;
    private TunnelScenario _scenario = null!;

    public HealthCheckThroughTunnelTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _app = await HealthUpstream.StartAsync();
        // 500 is retriable here, so it counts towards unhealthy_threshold instead of failing at once.
        _scenario = await TunnelScenario.StartAsync(_dir, new ScenarioRoute(Host, $"http://127.0.0.1:{_app.EndPoint.Port}", Extra: """
            health_checks = [{
              http_health_check = { path = "/health", retriable_statuses = [{ start = 500, end = 501 }] }
              timeout = 1s
              interval = 200ms
              no_traffic_interval = 200ms
              unhealthy_threshold = 3
              healthy_threshold = 2
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
    public async Task The_endpoint_follows_its_local_service_by_the_thresholds()
    {
        await using var ssh = await _scenario.ConnectAsync("alice", Host);
        var node = _scenario.Node;
        Assert.True(await node.WaitForLogAsync($"http health check for {Host}: UNKNOWN -> HEALTHY", Timeout), node.Log);
        // The probes (every 200 ms) reach the local service through the tunnel, as Envoy's would.
        var deadline = DateTime.UtcNow + Timeout;
        while (_app.LastUserAgent != "Envoy/HC" && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal("Envoy/HC", _app.LastUserAgent);
        Assert.Equal($"127.0.0.1:{_app.EndPoint.Port}", _app.LastHost);
        var probesBefore = _app.ConnectionsOpened;

        _app.Status = 500;
        Assert.True(await node.WaitForLogAsync($"http health check for {Host}: HEALTHY -> UNHEALTHY (HTTP 500", Timeout), node.Log);
        // unhealthy_threshold = 3: at least three probes answered 500 before the change (one
        // already under way when the status flipped may have passed).
        Assert.True(_app.ConnectionsOpened - probesBefore >= 3, $"{_app.ConnectionsOpened - probesBefore} probes before UNHEALTHY");

        var probesUnhealthy = _app.ConnectionsOpened;
        _app.Status = 200;
        Assert.True(await node.WaitForLogAsync($"http health check for {Host}: UNHEALTHY -> HEALTHY", Timeout), node.Log);
        Assert.True(_app.ConnectionsOpened - probesUnhealthy >= 2, $"{_app.ConnectionsOpened - probesUnhealthy} probes before HEALTHY again (healthy_threshold = 2)");

        // Each probe used a fresh channel, closed again: the local service sees every connection end.
        await _app.WaitForAllClosedAsync(Timeout);
        _output.WriteLine($"probes: {_app.ConnectionsOpened}, all closed");
        Assert.Single(Regex.Matches(node.Log, "HEALTHY -> UNHEALTHY"));
    }
}
