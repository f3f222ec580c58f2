using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Health.Support;
using Gateway.Node.Tests.Support;
using Gateway.Testing;
using Grpc.Health.V1;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Health;

/// <summary>
/// The reverse-tunneling document's example routes (the TUI section): <c>https-route</c> with an
/// HTTP check of <c>/health</c> and <c>grpc-route</c> to <c>h2c://localhost:8079</c> with
/// <c>grpc_health_check: {}</c>, both with thresholds of 1 and every result logged. Written as
/// HOCON key for key (only the ports, the user and, in the second test, the intervals differ), it
/// loads in a real node; a real OpenSSH <c>ssh -R 0</c> client with a real HTTP service and a real
/// gRPC server (h2c) behind it serves both routes, and the checks behave as the example says.
/// </summary>
public sealed class SeedExampleHealthCheckTests : IAsyncLifetime
{
    private const string HttpsRoute = "https-route.example.com";
    private const string GrpcRoute = "grpc-route.example.com";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private HealthUpstream _http = null!;
    private GrpcHealthUpstream _grpc = null!;

    public SeedExampleHealthCheckTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _http = await HealthUpstream.StartAsync();
        _grpc = await GrpcHealthUpstream.StartAsync();
        _grpc.Set("", HealthCheckResponse.Types.ServingStatus.Serving);
    }

    public async Task DisposeAsync()
    {
        await _grpc.DisposeAsync();
        await _http.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>
    /// The example's routes in this project's HOCON. <paramref name="interval"/> is the example's
    /// <c>interval: 10s</c> unless a test needs more than the first probe in a few seconds.
    /// </summary>
    private string ExampleRoutes(string interval = "interval = 10s") => $$"""
          {
            from = "https://https-route.example.com"
            to = "http://localhost:{{_http.EndPoint.Port}}"
            allow_public_unauthenticated_access = true
            upstream_tunnel {
              ssh_policy = [
                {
                  allow {
                    and = [
                      { email { is = "alice@example.com" } }
                    ]
                  }
                }
              ]
            }
            health_checks = [
              {
                http_health_check { path = "/health" }
                timeout = 0.5s
                {{interval}}
                unhealthy_threshold = 1
                healthy_threshold = 1
                always_log_health_check_success = true
                always_log_health_check_failures = true
              }
            ]
          },
          {
            from = "https://grpc-route.example.com"
            to = "h2c://localhost:{{_grpc.EndPoint.Port}}"
            allow_public_unauthenticated_access = true
            upstream_tunnel {
              ssh_policy = [
                {
                  allow {
                    and = [
                      { email { is = "alice@example.com" } }
                    ]
                  }
                }
              ]
            }
            health_checks = [
              {
                grpc_health_check {}
                timeout = 0.5s
                {{interval}}
                unhealthy_threshold = 1
                healthy_threshold = 1
                always_log_health_check_success = true
                always_log_health_check_failures = true
              }
            ]
          }
        """;

    [Fact]
    public async Task The_example_as_written_loads_and_checks_both_routes_through_the_tunnel()
    {
        await using var scenario = await TunnelScenario.StartWithRoutesAsync(_dir, ["alice"], ExampleRoutes());
        var node = scenario.Node;
        await using var ssh = await scenario.StartTunnelAsync("alice", "-N", "-v", "-R", "0");

        // The first probe of each check runs at once (no initial_jitter) and its result is logged.
        Assert.True(await BecomesHealthyAsync(node, $"http health check for {HttpsRoute}: ", "(HTTP 200 from /health)", HttpsRoute), node.Log);
        Assert.True(await BecomesHealthyAsync(node, $"grpc health check for {GrpcRoute}: ", "(gRPC SERVING)", GrpcRoute), node.Log);
        Assert.Equal($"localhost:{_http.EndPoint.Port}", _http.LastHost);
        Assert.Equal("Envoy/HC", _http.LastUserAgent);
        // The gRPC server speaks HTTP/2 without TLS only: the check reached it over h2c, through the tunnel.
        Assert.Equal("HTTP/2", _grpc.LastProtocol);
        Assert.Equal("Envoy/HC", _grpc.LastUserAgent);
        Assert.Equal($"localhost:{_grpc.EndPoint.Port}", _grpc.LastAuthority);

        // And the route carries requests to the same service.
        var reply = await Curl.GetAsync(node, HttpsRoute, "/health", "-o", "/dev/null");
        Assert.Equal(200, Curl.Parse(reply).Status);
    }

    [Fact]
    public async Task Every_result_is_logged_and_one_result_turns_an_endpoint_either_way()
    {
        // The example's checks with a short interval (and no_traffic_interval, which the example
        // leaves at Envoy's 60 s) so that several results come within a second.
        await using var scenario = await TunnelScenario.StartWithRoutesAsync(_dir, ["alice"], ExampleRoutes("interval = 200ms\n    no_traffic_interval = 200ms"));
        var node = scenario.Node;
        var http = $"http health check for {HttpsRoute}: ";
        var grpc = $"grpc health check for {GrpcRoute}: ";
        await using var ssh = await scenario.StartTunnelAsync("alice", "-N", "-v", "-R", "0");
        Assert.True(await BecomesHealthyAsync(node, http, "(HTTP 200 from /health)", HttpsRoute), node.Log);
        Assert.True(await BecomesHealthyAsync(node, grpc, "(gRPC SERVING)", GrpcRoute), node.Log);
        // always_log_health_check_success: each later pass is a line.
        Assert.True(await HealthLog.WaitForCountAsync(node, http, "passed (HTTP 200 from /health)", 3, Timeout), node.Log);
        Assert.True(await HealthLog.WaitForCountAsync(node, grpc, "passed (gRPC SERVING)", 3, Timeout), node.Log);

        // unhealthy_threshold = 1; always_log_health_check_failures: each later failure is a line.
        _http.Status = 500;
        _grpc.Set("", HealthCheckResponse.Types.ServingStatus.NotServing);
        Assert.True(await node.WaitForLogAsync(http + "HEALTHY -> UNHEALTHY (HTTP 500 from /health)", Timeout), node.Log);
        Assert.True(await node.WaitForLogAsync(grpc + "HEALTHY -> UNHEALTHY (gRPC status NOT_SERVING)", Timeout), node.Log);
        Assert.True(await HealthLog.WaitForCountAsync(node, http, "failed (HTTP 500 from /health)", 3, Timeout), node.Log);
        Assert.True(await HealthLog.WaitForCountAsync(node, grpc, "failed (gRPC status NOT_SERVING)", 3, Timeout), node.Log);

        // healthy_threshold = 1: the first pass turns each back (counted: a slow first probe may have turned it once already).
        var httpHealed = HealthLog.Count(node, http, "UNHEALTHY -> HEALTHY (HTTP 200 from /health)");
        var grpcHealed = HealthLog.Count(node, grpc, "UNHEALTHY -> HEALTHY (gRPC SERVING)");
        _http.Status = 200;
        _grpc.Set("", HealthCheckResponse.Types.ServingStatus.Serving);
        Assert.True(await HealthLog.WaitForCountAsync(node, http, "UNHEALTHY -> HEALTHY (HTTP 200 from /health)", httpHealed + 1, Timeout), node.Log);
        Assert.True(await HealthLog.WaitForCountAsync(node, grpc, "UNHEALTHY -> HEALTHY (gRPC SERVING)", grpcHealed + 1, Timeout), node.Log);
        foreach (var prefix in new[] { http, grpc })
        {
            var between = HealthLog.Between(node, prefix, ": HEALTHY -> UNHEALTHY", ": UNHEALTHY -> HEALTHY");
            Assert.NotNull(between);
            Assert.DoesNotContain(between, l => l.Contains("passed", StringComparison.Ordinal));
        }
        _output.WriteLine(string.Join("\n", HealthLog.Lines(node, " health check for ")));
    }

    /// <summary>
    /// Waits until the check turns the endpoint HEALTHY for <paramref name="reason"/>: with the first
    /// probe (UNKNOWN -> HEALTHY), or, when that probe outlasted the example's 0.5 s timeout on a
    /// loaded machine, with a later one (UNHEALTHY -> HEALTHY). A request through the route then
    /// gives it traffic, so the next probe comes at <c>interval</c>, not at the 60 s no-traffic interval.
    /// </summary>
    private static async Task<bool> BecomesHealthyAsync(GatewayNodeProcess node, string prefix, string reason, string host)
    {
        // Several probes' worth: on a loaded machine more than one may outlast the 0.5 s timeout.
        var deadline = DateTime.UtcNow + 2 * Timeout;
        var nudged = false;
        while (DateTime.UtcNow < deadline)
        {
            if (HealthLog.Count(node, prefix, "-> HEALTHY " + reason) > 0) return true;
            if (!nudged && HealthLog.Count(node, prefix, "UNKNOWN -> UNHEALTHY") > 0)
            {
                nudged = true;
                await Curl.GetAsync(node, host, "/health", "-o", "/dev/null");
            }
            await Task.Delay(50);
        }
        return false;
    }
}
