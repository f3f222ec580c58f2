using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Health.Support;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Health;

/// <summary>
/// Static mode: a real OpenSSH client forwarding <c>https-hc.example.com:443</c> to its own local
/// service (<c>ssh -R host:443:127.0.0.1:PORT</c>). The route's <c>to</c> points nowhere
/// (<c>127.0.0.1:9</c>): the checks go where the client sends every connection, its local target,
/// and follow it by the thresholds as in dynamic mode; <c>to</c> still names the Host header.
/// </summary>
public sealed class StaticForwardHealthCheckTests : IAsyncLifetime
{
    private const string Host = "https-hc.example.com";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private HealthUpstream _app = null!;
    private bool _appStopped;
    private TunnelScenario _scenario = null!;

    public StaticForwardHealthCheckTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _app = await HealthUpstream.StartAsync();
        _scenario = await TunnelScenario.StartAsync(_dir, new ScenarioRoute(Host, "http://127.0.0.1:9", Extra: """
            health_checks = [
              {
                http_health_check = { path = "/health", retriable_statuses = [{ start = 500, end = 501 }] }
                timeout = 1s
                interval = 150ms
                no_traffic_interval = 150ms
                unhealthy_threshold = 3
                healthy_threshold = 2
              },
              {
                tcp_health_check = {}
                timeout = 1s
                interval = 150ms
                no_traffic_interval = 150ms
                unhealthy_threshold = 1
                healthy_threshold = 1
              }
            ]
            """));
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        if (!_appStopped) await _app.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Checks_reach_the_clients_local_target_and_follow_it()
    {
        var node = _scenario.Node;
        var http = $"http health check 1 for {Host}: ";
        var endpoint = $"health checks for {Host}: ";
        await using var ssh = await _scenario.StartTunnelAsync("alice", "-N", "-v", "-R", $"{Host}:443:127.0.0.1:{_app.EndPoint.Port}");
        Assert.True(await node.WaitForLogAsync(endpoint + "UNKNOWN -> HEALTHY", Timeout), node.Log);
        Assert.Equal("Envoy/HC", _app.LastUserAgent);
        Assert.Equal("127.0.0.1:9", _app.LastHost);

        _app.Status = 500;
        Assert.True(await node.WaitForLogAsync(http + "HEALTHY -> UNHEALTHY (HTTP 500 from /health (retriable))", Timeout), node.Log);
        Assert.True(await node.WaitForLogAsync(endpoint + "HEALTHY -> UNHEALTHY (http health check 1: HTTP 500 from /health (retriable))", Timeout), node.Log);
        // Counted failures: the first is shown, the third turns the check unhealthy.
        Assert.Contains(HealthLog.Lines(node, http), l => l.StartsWith(http + "failed (HTTP 500", StringComparison.Ordinal));

        _app.Status = 200;
        Assert.True(await node.WaitForLogAsync(endpoint + "UNHEALTHY -> HEALTHY (http health check 1: HTTP 200 from /health)", Timeout), node.Log);

        // The client's local service goes away: OpenSSH refuses the channel, the connect-only TCP
        // check fails at once (unhealthy_threshold = 1).
        _appStopped = true;
        await _app.DisposeAsync();
        Assert.True(await node.WaitForLogAsync($"tcp health check 2 for {Host}: HEALTHY -> UNHEALTHY", Timeout), node.Log);
        _output.WriteLine(string.Join("\n", HealthLog.Lines(node, $" for {Host}: ")));
    }
}
