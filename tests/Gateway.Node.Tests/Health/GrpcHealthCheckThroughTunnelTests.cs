using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Health.Support;
using Gateway.Testing;
using Grpc.Health.V1;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Health;

/// <summary>
/// A real gRPC server (Grpc.AspNetCore with Grpc.HealthCheck's health service, HTTP/2 only, no
/// TLS) behind a real OpenSSH <c>ssh -R 0</c> client, serving two routes <c>to = h2c://...</c>:
/// one checks the server's overall health (<c>grpc_health_check = {}</c>), one a named service.
/// NOT_SERVING turns an endpoint unhealthy at the first answer (an immediate failure, as Envoy
/// treats every reply but SERVING), SERVING brings it back after <c>healthy_threshold</c> passes.
/// </summary>
public sealed class GrpcHealthCheckThroughTunnelTests : IAsyncLifetime
{
    private const string Overall = "grpc-hc.example.com";
    private const string Named = "grpc-svc.example.com";
    private const string Service = "app.Orders";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private GrpcHealthUpstream _grpc = null!;
    private TunnelScenario _scenario = null!;

    public GrpcHealthCheckThroughTunnelTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _grpc = await GrpcHealthUpstream.StartAsync();
        _grpc.Set("", HealthCheckResponse.Types.ServingStatus.Serving);
        _grpc.Set(Service, HealthCheckResponse.Types.ServingStatus.Serving);
        // unhealthy_threshold is high on purpose: only an immediate failure turns the endpoint
        // unhealthy at the first NOT_SERVING.
        const string timing = """
              timeout = 1s
              interval = 150ms
              no_traffic_interval = 150ms
              unhealthy_threshold = 5
              healthy_threshold = 3
              always_log_health_check_success = true
            """;
        var to = $"h2c://127.0.0.1:{_grpc.EndPoint.Port}";
        _scenario = await TunnelScenario.StartAsync(_dir,
            new ScenarioRoute(Overall, to, Extra: $$"""health_checks = [{ grpc_health_check = {}, {{timing}} }]"""),
            new ScenarioRoute(Named, to, Extra: $$"""health_checks = [{ grpc_health_check = { service_name = "{{Service}}" }, {{timing}} }]"""));
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _grpc.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Serving_and_not_serving_move_each_route_by_its_service()
    {
        var node = _scenario.Node;
        var overall = $"grpc health check for {Overall}: ";
        var named = $"grpc health check for {Named}: ";
        await using var ssh = await _scenario.StartTunnelAsync("alice", "-N", "-v", "-R", "0");
        Assert.True(await node.WaitForLogAsync(overall + "UNKNOWN -> HEALTHY (gRPC SERVING)", Timeout), node.Log);
        Assert.True(await node.WaitForLogAsync(named + $"UNKNOWN -> HEALTHY (gRPC SERVING for service \"{Service}\")", Timeout), node.Log);
        // Through the tunnel over HTTP/2 without TLS (the server speaks nothing else), as Envoy/HC.
        Assert.Equal("HTTP/2", _grpc.LastProtocol);
        Assert.Equal("Envoy/HC", _grpc.LastUserAgent);
        Assert.Equal($"127.0.0.1:{_grpc.EndPoint.Port}", _grpc.LastAuthority);

        // The named service stops serving: only its route turns unhealthy, at the first answer.
        _grpc.Set(Service, HealthCheckResponse.Types.ServingStatus.NotServing);
        Assert.True(await node.WaitForLogAsync(named + $"HEALTHY -> UNHEALTHY (gRPC status NOT_SERVING for service \"{Service}\")", Timeout), node.Log);
        var overallPasses = HealthLog.Count(node, overall, "passed (gRPC SERVING)");
        Assert.True(await HealthLog.WaitForCountAsync(node, overall, "passed (gRPC SERVING)", overallPasses + 3, Timeout), node.Log);
        Assert.DoesNotContain(HealthLog.Lines(node, overall), l => l.Contains("UNHEALTHY", StringComparison.Ordinal));
        // Immediate: no counted failure ("failed" line for the first failure of a streak) came first.
        Assert.DoesNotContain(HealthLog.Lines(node, named), l => l.Contains("failed", StringComparison.Ordinal));

        // The server as a whole stops serving.
        _grpc.Set("", HealthCheckResponse.Types.ServingStatus.NotServing);
        Assert.True(await node.WaitForLogAsync(overall + "HEALTHY -> UNHEALTHY (gRPC status NOT_SERVING)", Timeout), node.Log);
        Assert.DoesNotContain(HealthLog.Lines(node, overall), l => l.Contains("failed", StringComparison.Ordinal));

        // Back: healthy_threshold = 3 passes, the first two shown as passes while still unhealthy.
        _grpc.Set("", HealthCheckResponse.Types.ServingStatus.Serving);
        _grpc.Set(Service, HealthCheckResponse.Types.ServingStatus.Serving);
        Assert.True(await node.WaitForLogAsync(overall + "UNHEALTHY -> HEALTHY (gRPC SERVING)", Timeout), node.Log);
        Assert.True(await node.WaitForLogAsync(named + $"UNHEALTHY -> HEALTHY (gRPC SERVING for service \"{Service}\")", Timeout), node.Log);
        foreach (var prefix in new[] { overall, named })
        {
            var between = HealthLog.Between(node, prefix, ": HEALTHY -> UNHEALTHY", ": UNHEALTHY -> HEALTHY");
            Assert.NotNull(between);
            _output.WriteLine(prefix + "\n  " + string.Join("\n  ", between));
            Assert.Equal(2, between.Count(l => l.Contains("passed", StringComparison.Ordinal)));
        }
        _output.WriteLine($"{_grpc.Calls} health calls");
    }
}
