using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Health.Support;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Health;

/// <summary>
/// A <c>tcp_health_check</c> with <c>send</c> and no <c>receive</c> through a static forward of a
/// real OpenSSH client, to a service that reads and never answers: the check passes once the bytes
/// are written (Envoy's send-only check) and closes its stream. A request's stream closed after
/// sending bytes and receiving none is the sign of a forward of the wrong kind, so the gateway
/// warns; a send-only probe is not such a sign, and the client sees no warning for it.
/// </summary>
public sealed class StaticForwardSendOnlyCheckTests : IAsyncLifetime
{
    private const string Host = "send-only-hc.example.com";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private ScriptedTcpServer _service = null!;
    private TunnelScenario _scenario = null!;

    public StaticForwardSendOnlyCheckTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        // Reads whatever comes until the checker closes; never writes.
        _service = new ScriptedTcpServer(async (stream, ct) => await ScriptedTcpServer.ReadExactlyOrEndAsync(stream, 1 << 16, ct));
        _scenario = await TunnelScenario.StartAsync(_dir, new ScenarioRoute(Host, "http://127.0.0.1:9", Extra: """
            health_checks = [{
              tcp_health_check = { send = { text = "50494E470D0A" } }
              timeout = 1s
              interval = 100ms
              no_traffic_interval = 100ms
              unhealthy_threshold = 1
              healthy_threshold = 1
              always_log_health_check_success = true
            }]
            """));
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _service.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_passing_send_only_probe_draws_no_forward_mismatch_warning()
    {
        var node = _scenario.Node;
        var prefix = $"tcp health check for {Host}: ";
        await using var ssh = await _scenario.StartTunnelAsync("alice", "-N", "-v", "-R", $"{Host}:443:127.0.0.1:{_service.EndPoint.Port}");
        Assert.True(await node.WaitForLogAsync(prefix + "UNKNOWN -> HEALTHY (connected, sent 6 bytes)", Timeout), node.Log);
        Assert.True(await HealthLog.WaitForCountAsync(node, prefix, "passed (connected, sent 6 bytes)", 5, Timeout), node.Log);
        _output.WriteLine(node.Log);
        Assert.DoesNotContain("may be expecting dynamic", node.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("warning:", node.Log, StringComparison.Ordinal);
    }
}
