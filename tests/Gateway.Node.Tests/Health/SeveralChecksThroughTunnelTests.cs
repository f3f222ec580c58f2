using System.Text;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Health.Support;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Health;

/// <summary>
/// Two checks on one route through a real OpenSSH <c>ssh -R 0</c> client: an HTTP check of
/// <c>/health</c>'s status and a TCP check that sends its own HTTP/1.0 request and wants <c>ok</c>
/// in the reply. The endpoint is HEALTHY only while both pass: the TCP check failing alone (the
/// body changes, the status does not) or the HTTP check failing alone (the status changes, the
/// body does not) makes it UNHEALTHY, shown by the "health checks for" line of the endpoint.
/// </summary>
public sealed class SeveralChecksThroughTunnelTests : IAsyncLifetime
{
    private const string Host = "two-hc.example.com";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private HealthUpstream _app = null!;
    private TunnelScenario _scenario = null!;

    public SeveralChecksThroughTunnelTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _app = await HealthUpstream.StartAsync();
        var request = Convert.ToHexString(Encoding.ASCII.GetBytes($"GET /health HTTP/1.0\r\nHost: 127.0.0.1:{_app.EndPoint.Port}\r\n\r\n"));
        _scenario = await TunnelScenario.StartAsync(_dir, new ScenarioRoute(Host, $"http://127.0.0.1:{_app.EndPoint.Port}", Extra: $$"""
            health_checks = [
              {
                http_health_check = { path = "/health" }
                timeout = 1s
                interval = 150ms
                no_traffic_interval = 150ms
                unhealthy_threshold = 1
                healthy_threshold = 1
                always_log_health_check_success = true
              },
              {
                tcp_health_check = { send = { text = "{{request}}" }, receive = [{ text = "{{Convert.ToHexString("\r\n\r\nok"u8)}}" }] }
                timeout = 1s
                interval = 150ms
                no_traffic_interval = 150ms
                unhealthy_threshold = 1
                healthy_threshold = 1
                always_log_health_check_success = true
              }
            ]
            """));
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _app.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task The_endpoint_is_healthy_only_while_both_checks_pass()
    {
        var node = _scenario.Node;
        var http = $"http health check 1 for {Host}: ";
        var tcp = $"tcp health check 2 for {Host}: ";
        var endpoint = $"health checks for {Host}: ";
        await using var ssh = await _scenario.StartTunnelAsync("alice", "-N", "-v", "-R", "0");
        Assert.True(await node.WaitForLogAsync(http + "UNKNOWN -> HEALTHY", Timeout), node.Log);
        Assert.True(await node.WaitForLogAsync(tcp + "UNKNOWN -> HEALTHY", Timeout), node.Log);
        // Unknown until the second check answered too: one change of the endpoint, to HEALTHY.
        Assert.True(await node.WaitForLogAsync(endpoint + "UNKNOWN -> HEALTHY", Timeout), node.Log);
        Assert.Single(HealthLog.Lines(node, endpoint));

        // The body loses "ok": the TCP check fails, the HTTP check (status only) still passes.
        _app.Body = "not yet";
        Assert.True(await node.WaitForLogAsync(endpoint + "HEALTHY -> UNHEALTHY (tcp health check 2: connection closed after", Timeout), node.Log);
        var httpPasses = HealthLog.Count(node, http, "passed (HTTP 200 from /health)");
        Assert.True(await HealthLog.WaitForCountAsync(node, http, "passed (HTTP 200 from /health)", httpPasses + 2, Timeout), node.Log);
        Assert.Equal(2, HealthLog.Lines(node, endpoint).Count);

        _app.Body = "ok";
        Assert.True(await node.WaitForLogAsync(endpoint + "UNHEALTHY -> HEALTHY (tcp health check 2: expected response received", Timeout), node.Log);

        // The status turns 500 with "ok" still in the body: the HTTP check fails, the TCP one passes.
        _app.Status = 500;
        Assert.True(await node.WaitForLogAsync(endpoint + "HEALTHY -> UNHEALTHY (http health check 1: HTTP 500 from /health)", Timeout), node.Log);
        var tcpPasses = HealthLog.Count(node, tcp, "passed (expected response received");
        Assert.True(await HealthLog.WaitForCountAsync(node, tcp, "passed (expected response received", tcpPasses + 2, Timeout), node.Log);
        Assert.Equal(4, HealthLog.Lines(node, endpoint).Count);

        _app.Status = 200;
        Assert.True(await node.WaitForLogAsync(endpoint + "UNHEALTHY -> HEALTHY (http health check 1: HTTP 200 from /health)", Timeout), node.Log);
        _output.WriteLine(string.Join("\n", HealthLog.Lines(node, endpoint)));
    }
}
