using System.Text;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Health.Support;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Health;

/// <summary>
/// A <c>tcp_health_check</c> with <c>send</c> / <c>receive</c> payloads (hex text, as Envoy)
/// through a real OpenSSH <c>ssh -R 0</c> client to a real TCP service on its side: the service
/// gets the payload through the tunnel and answers the expected bytes (HEALTHY), then answers
/// wrong bytes and closes (counted failures: UNHEALTHY after <c>unhealthy_threshold</c> of them).
/// </summary>
public sealed class TcpHealthCheckThroughTunnelTests : IAsyncLifetime
{
    private const string Host = "tcp-hc.example.com";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly byte[] Ping = "PING\r\n"u8.ToArray();
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private ScriptedTcpServer _service = null!;
    private TunnelScenario _scenario = null!;
    private volatile byte[] _answer = "+PONG ready\r\n"u8.ToArray();
    private volatile string? _lastReceived;
    private int _wrongAnswers;

    public TcpHealthCheckThroughTunnelTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _service = new ScriptedTcpServer(async (stream, ct) =>
        {
            var got = await ScriptedTcpServer.ReadExactlyOrEndAsync(stream, Ping.Length, ct);
            _lastReceived = Encoding.ASCII.GetString(got);
            var answer = _answer;
            if (answer[0] == (byte)'-') Interlocked.Increment(ref _wrongAnswers);
            await stream.WriteAsync(answer, ct);
        });
        // receive is two blocks, matched in order with the gap between them (Envoy's fuzzy match).
        _scenario = await TunnelScenario.StartAsync(_dir, new ScenarioRoute(Host, $"http://127.0.0.1:{_service.EndPoint.Port}", Extra: $$"""
            health_checks = [{
              tcp_health_check = {
                send = { text = "{{Convert.ToHexString(Ping)}}" }
                receive = [{ text = "{{Convert.ToHexString("+PONG"u8)}}" }, { text = "{{Convert.ToHexString("ready"u8)}}" }]
              }
              timeout = 1s
              interval = 150ms
              no_traffic_interval = 150ms
              unhealthy_threshold = 3
              healthy_threshold = 2
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
    public async Task Send_and_receive_payloads_decide_the_endpoint()
    {
        var node = _scenario.Node;
        var prefix = $"tcp health check for {Host}: ";
        await using var ssh = await _scenario.StartTunnelAsync("alice", "-N", "-v", "-R", "0");
        Assert.True(await node.WaitForLogAsync(prefix + "UNKNOWN -> HEALTHY (expected response received, sent 6 bytes)", Timeout), node.Log);
        Assert.Equal("PING\r\n", _lastReceived);

        _answer = "-ERR busy\r\n"u8.ToArray();
        Assert.True(await node.WaitForLogAsync(prefix + "HEALTHY -> UNHEALTHY (connection closed after 11 bytes without the expected response)", Timeout), node.Log);
        // The first wrong answer is shown as a failure, the third turns the endpoint unhealthy.
        Assert.Contains(HealthLog.Lines(node, prefix), l => l.StartsWith(prefix + "failed (connection closed after 11 bytes", StringComparison.Ordinal));
        var wrong = Volatile.Read(ref _wrongAnswers);
        Assert.True(wrong >= 3, $"{wrong} wrong answers before UNHEALTHY (unhealthy_threshold = 3)");

        _answer = "+PONG ready\r\n"u8.ToArray();
        Assert.True(await node.WaitForLogAsync(prefix + "UNHEALTHY -> HEALTHY (expected response received, sent 6 bytes)", Timeout), node.Log);
        _output.WriteLine(string.Join("\n", HealthLog.Lines(node, prefix)));
        _output.WriteLine($"{_service.Accepted} probes");
    }
}
