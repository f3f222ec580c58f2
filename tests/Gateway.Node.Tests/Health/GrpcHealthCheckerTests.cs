using System.Diagnostics;
using Gateway.Actors.Health;
using Gateway.Config;
using Gateway.Node.Health;
using Gateway.Node.Http;
using Gateway.Node.Tests.Health.Support;
using Gateway.Testing;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Gateway.Node.Tests.Health;

/// <summary>grpc_health_check against Grpc.HealthCheck's real health service on Kestrel.</summary>
public sealed class GrpcHealthCheckerTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);
    private static readonly HealthProbeTarget H2c = new(new Uri("h2c://grpc.internal:50051"));

    private static GrpcHealthChecker Checker(string? service = null, string? authority = null, double timeoutSeconds = 5)
        => new(new GrpcHealthCheck(service, authority), TimeSpan.FromSeconds(timeoutSeconds));

    private static async Task<HealthProbeResult> CheckAsync(IHealthChecker checker, StreamOpener opener, HealthProbeTarget? target = null)
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        return await checker.CheckAsync(target ?? H2c, opener.OpenAsync, cts.Token);
    }

    [Fact]
    public async Task Serving_passes_and_not_serving_fails_at_once_as_the_service_flips()
    {
        await using var upstream = await GrpcHealthUpstream.StartAsync();
        var opener = new StreamOpener(upstream.EndPoint);
        var checker = Checker("app.Orders");

        upstream.Set("app.Orders", ServingStatus.Serving);
        Assert.Equal(HealthProbeResult.Success("gRPC SERVING for service \"app.Orders\""), await CheckAsync(checker, opener));

        upstream.Set("app.Orders", ServingStatus.NotServing);
        var down = await CheckAsync(checker, opener);
        Assert.Equal(HealthProbeOutcome.ImmediateFailure, down.Outcome);
        Assert.Contains("NOT_SERVING", down.Detail);

        upstream.Set("app.Orders", ServingStatus.Serving);
        Assert.Equal(HealthProbeOutcome.Success, (await CheckAsync(checker, opener)).Outcome);
        Assert.Equal(3, opener.Opened);
        Assert.Equal(3, opener.Disposed);
        Assert.Equal("Envoy/HC", upstream.LastUserAgent);
    }

    [Fact]
    public async Task The_empty_service_name_asks_for_the_servers_overall_health()
    {
        await using var upstream = await GrpcHealthUpstream.StartAsync();
        var opener = new StreamOpener(upstream.EndPoint);

        upstream.Set("", ServingStatus.Serving);
        Assert.Equal(HealthProbeResult.Success("gRPC SERVING"), await CheckAsync(Checker(), opener));
        upstream.Set("", ServingStatus.Unknown);
        Assert.Equal(HealthProbeResult.ImmediateFailure("gRPC status UNKNOWN"), await CheckAsync(Checker(), opener));
    }

    [Fact]
    public async Task An_unknown_service_is_an_immediate_failure_naming_the_grpc_status()
    {
        await using var upstream = await GrpcHealthUpstream.StartAsync();
        var opener = new StreamOpener(upstream.EndPoint);

        var result = await CheckAsync(Checker("no.such.Service"), opener);

        Assert.Equal(HealthProbeOutcome.ImmediateFailure, result.Outcome);
        Assert.StartsWith("gRPC status NOT_FOUND for service \"no.such.Service\"", result.Detail);
    }

    [Fact]
    public async Task Authority_is_the_configured_one_else_the_to_address_with_its_port()
    {
        await using var upstream = await GrpcHealthUpstream.StartAsync();
        var opener = new StreamOpener(upstream.EndPoint);
        upstream.Set("", ServingStatus.Serving);

        await CheckAsync(Checker(), opener);
        Assert.Equal("grpc.internal:50051", upstream.LastAuthority);

        await CheckAsync(Checker(), opener, new HealthProbeTarget(new Uri("h2c://grpc.internal")));
        Assert.Equal("grpc.internal:80", upstream.LastAuthority);

        await CheckAsync(Checker(authority: "health.example.com"), opener);
        Assert.Equal("health.example.com", upstream.LastAuthority);
    }

    [Fact]
    public async Task Https_upstreams_are_checked_over_tls_with_h2()
    {
        using var caDirectory = new TempDirectory();
        using var ca = new LocalCertificateAuthority(caDirectory.Path);
        using var certificate = ca.IssueLeaf("grpc.internal");
        await using var upstream = await GrpcHealthUpstream.StartAsync(certificate);
        var opener = new StreamOpener(upstream.EndPoint);
        upstream.Set("", ServingStatus.Serving);

        var result = await CheckAsync(Checker(), opener, new HealthProbeTarget(new Uri("https://grpc.internal:8443"), tlsSkipVerify: true));

        Assert.Equal(HealthProbeOutcome.Success, result.Outcome);
        Assert.Equal(1, opener.Disposed);
    }

    [Fact]
    public async Task An_http2_server_that_is_not_grpc_fails_at_once()
    {
        await using var upstream = await HealthUpstream.StartAsync(HealthUpstreamMode.H2c);
        var opener = new StreamOpener(upstream.EndPoint);

        var result = await CheckAsync(Checker(), opener);

        Assert.Equal(HealthProbeOutcome.ImmediateFailure, result.Outcome);
        Assert.StartsWith("not a gRPC reply", result.Detail);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_a_counted_failure_within_the_timeout()
    {
        await using var silent = new ScriptedTcpServer(async (_, ct) => await Task.Delay(Timeout.Infinite, ct));
        var opener = new StreamOpener(silent.EndPoint);
        var watch = Stopwatch.StartNew();

        var result = await CheckAsync(Checker(timeoutSeconds: 0.3), opener);

        Assert.Equal(HealthProbeResult.Failure("timeout after 300ms"), result);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        Assert.Equal(1, opener.Disposed);
    }

    [Fact]
    public async Task A_refused_connection_is_a_counted_failure()
    {
        var opener = new StreamOpener(HttpHealthCheckerTests.ClosedPort());
        var result = await CheckAsync(Checker(), opener);
        Assert.Equal(HealthProbeOutcome.Failure, result.Outcome);
        Assert.StartsWith("connect failed: ", result.Detail);
    }
}
