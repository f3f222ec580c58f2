using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Health.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.Health;

/// <summary>
/// An HTTP upstream behind a real OpenSSH <c>ssh -R 0</c> client that starts answering its health
/// check with <c>x-envoy-degraded</c>: the endpoint becomes DEGRADED at that answer (a pass, so not
/// unhealthy) and HEALTHY again at the first answer without the header, as Envoy defines it.
/// </summary>
public sealed class DegradedThroughTunnelTests : IAsyncLifetime
{
    private const string Host = "degraded-hc.example.com";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private HealthUpstream _app = null!;
    private TunnelScenario _scenario = null!;

    public async Task InitializeAsync()
    {
        _app = await HealthUpstream.StartAsync();
        _scenario = await TunnelScenario.StartAsync(_dir, new ScenarioRoute(Host, $"http://127.0.0.1:{_app.EndPoint.Port}", Extra: """
            health_checks = [{
              http_health_check = { path = "/health" }
              timeout = 1s
              interval = 150ms
              no_traffic_interval = 150ms
              unhealthy_threshold = 2
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
    public async Task X_envoy_degraded_makes_the_endpoint_degraded_until_it_goes()
    {
        var node = _scenario.Node;
        var prefix = $"http health check for {Host}: ";
        await using var ssh = await _scenario.StartTunnelAsync("alice", "-N", "-v", "-R", "0");
        Assert.True(await node.WaitForLogAsync(prefix + "UNKNOWN -> HEALTHY (HTTP 200 from /health)", Timeout), node.Log);

        _app.Degraded = true;
        Assert.True(await node.WaitForLogAsync(prefix + "HEALTHY -> DEGRADED (HTTP 200 from /health with x-envoy-degraded)", Timeout), node.Log);
        var probes = _app.ConnectionsOpened;
        // It stays degraded (not unhealthy, not flapping) while the header is sent.
        Assert.True(await HealthLog.WaitUntilAsync(() => _app.ConnectionsOpened >= probes + 3, Timeout));
        Assert.Single(HealthLog.Lines(node, prefix), l => l.Contains("-> DEGRADED", StringComparison.Ordinal));
        Assert.DoesNotContain(HealthLog.Lines(node, prefix), l => l.Contains("UNHEALTHY", StringComparison.Ordinal) || l.Contains("DEGRADED -> ", StringComparison.Ordinal));

        _app.Degraded = false;
        Assert.True(await node.WaitForLogAsync(prefix + "DEGRADED -> HEALTHY (HTTP 200 from /health)", Timeout), node.Log);
    }
}
