using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Actors.Health;
using Gateway.Config;
using Gateway.Node.Health;
using Gateway.Node.Http;
using Gateway.Node.Tests.Health.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.Health;

/// <summary>http_health_check against real Kestrel upstreams, each check over its own TCP stream.</summary>
public sealed class HttpHealthCheckerTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);
    private static readonly HealthProbeTarget Plain = new(new Uri("http://app.internal:8080"));

    private static HttpHealthChecker Checker(HttpHealthCheck check, double timeoutSeconds = 5)
        => new(check, TimeSpan.FromSeconds(timeoutSeconds));

    private static async Task<HealthProbeResult> CheckAsync(IHealthChecker checker, StreamOpener opener, HealthProbeTarget? target = null)
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        return await checker.CheckAsync(target ?? Plain, opener.OpenAsync, cts.Token);
    }

    [Fact]
    public async Task A_200_passes_and_every_check_opens_one_fresh_stream_and_closes_it()
    {
        await using var upstream = await HealthUpstream.StartAsync();
        var opener = new StreamOpener(upstream.EndPoint);
        var checker = Checker(new HttpHealthCheck { Path = "/health" });

        for (var i = 1; i <= 3; i++)
        {
            var result = await CheckAsync(checker, opener);
            Assert.Equal(HealthProbeResult.Success("HTTP 200 from /health"), result);
            Assert.Equal(i, opener.Opened);
            Assert.Equal(i, opener.Disposed);
        }
        Assert.Equal(3, upstream.ConnectionsOpened);
        await upstream.WaitForAllClosedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("Envoy/HC", upstream.LastUserAgent);
        Assert.Equal("HTTP/1.1", upstream.LastProtocol);
        Assert.Equal("http", upstream.LastScheme);
    }

    [Fact]
    public async Task The_degraded_header_on_an_expected_status_is_degraded_and_on_another_status_a_failure()
    {
        await using var upstream = await HealthUpstream.StartAsync();
        upstream.Degraded = true;
        var opener = new StreamOpener(upstream.EndPoint);
        var checker = Checker(new HttpHealthCheck { Path = "/health" });

        var degraded = await CheckAsync(checker, opener);
        Assert.Equal(HealthProbeOutcome.Degraded, degraded.Outcome);
        Assert.True(degraded.Passed);
        Assert.Contains("x-envoy-degraded", degraded.Detail);

        upstream.Status = 500;
        Assert.Equal(HealthProbeOutcome.ImmediateFailure, (await CheckAsync(checker, opener)).Outcome);
    }

    [Fact]
    public async Task Without_expected_statuses_only_200_passes_and_anything_else_fails_at_once()
    {
        await using var upstream = await HealthUpstream.StartAsync();
        var opener = new StreamOpener(upstream.EndPoint);
        var checker = Checker(new HttpHealthCheck { Path = "/health" });

        upstream.Status = 204;
        Assert.Equal(HealthProbeResult.ImmediateFailure("HTTP 204 from /health"), await CheckAsync(checker, opener));
        upstream.Status = 500;
        Assert.Equal(HealthProbeResult.ImmediateFailure("HTTP 500 from /health"), await CheckAsync(checker, opener));
    }

    [Fact]
    public async Task Expected_and_retriable_ranges_decide_between_pass_counted_failure_and_immediate_failure()
    {
        await using var upstream = await HealthUpstream.StartAsync();
        var opener = new StreamOpener(upstream.EndPoint);
        var checker = Checker(new HttpHealthCheck
        {
            Path = "/health",
            ExpectedStatuses = [new StatusRange(200, 300)],
            // Overlaps the expected range: expected wins, as Envoy documents.
            RetriableStatuses = [new StatusRange(200, 201), new StatusRange(500, 504)],
        });

        upstream.Status = 204;
        Assert.Equal(HealthProbeOutcome.Success, (await CheckAsync(checker, opener)).Outcome);
        upstream.Status = 200;
        Assert.Equal(HealthProbeOutcome.Success, (await CheckAsync(checker, opener)).Outcome);
        upstream.Status = 503;
        Assert.Equal(HealthProbeResult.Failure("HTTP 503 from /health (retriable)"), await CheckAsync(checker, opener));
        upstream.Status = 504;
        Assert.Equal(HealthProbeResult.ImmediateFailure("HTTP 504 from /health"), await CheckAsync(checker, opener));
        upstream.Status = 404;
        Assert.Equal(HealthProbeOutcome.ImmediateFailure, (await CheckAsync(checker, opener)).Outcome);
    }

    [Fact]
    public async Task Host_is_the_configured_host_else_the_to_address_with_its_port()
    {
        await using var upstream = await HealthUpstream.StartAsync();
        var opener = new StreamOpener(upstream.EndPoint);

        await CheckAsync(Checker(new HttpHealthCheck { Path = "/health" }), opener);
        Assert.Equal("app.internal:8080", upstream.LastHost);

        await CheckAsync(Checker(new HttpHealthCheck { Path = "/health" }), opener, new HealthProbeTarget(new Uri("http://app.internal")));
        Assert.Equal("app.internal:80", upstream.LastHost);

        await CheckAsync(Checker(new HttpHealthCheck { Path = "/health", Host = "health.example.com" }), opener);
        Assert.Equal("health.example.com", upstream.LastHost);
    }

    [Fact]
    public async Task Request_headers_to_remove_drops_the_user_agent()
    {
        await using var upstream = await HealthUpstream.StartAsync();
        var opener = new StreamOpener(upstream.EndPoint);

        var result = await CheckAsync(Checker(new HttpHealthCheck { Path = "/health", RequestHeadersToRemove = ["User-Agent"] }), opener);

        Assert.Equal(HealthProbeOutcome.Success, result.Outcome);
        Assert.Null(upstream.LastUserAgent);
    }

    [Fact]
    public async Task Codec_http2_speaks_h2c_with_prior_knowledge_and_codec_http1_is_what_an_h2_only_upstream_gets()
    {
        await using var upstream = await HealthUpstream.StartAsync(HealthUpstreamMode.H2c);
        var opener = new StreamOpener(upstream.EndPoint);
        var h2c = new HealthProbeTarget(new Uri("h2c://app.internal:9000"));

        var result = await CheckAsync(Checker(new HttpHealthCheck { Path = "/health", CodecClientType = HealthCheckCodec.Http2 }), opener, h2c);
        Assert.Equal(HealthProbeOutcome.Success, result.Outcome);
        Assert.Equal("HTTP/2", upstream.LastProtocol);
        Assert.Equal("app.internal:9000", upstream.LastHost);

        // Envoy's codec_client_type decides the protocol, not the to scheme: HTTP/1.1 to an
        // HTTP/2-only Kestrel gets its HTTP/1.1 400, an answer, so an immediate failure.
        var mismatch = await CheckAsync(Checker(new HttpHealthCheck { Path = "/health" }), opener, h2c);
        Assert.Equal(HealthProbeResult.ImmediateFailure("HTTP 400 from /health"), mismatch);
        Assert.Equal(2, opener.Opened);
        Assert.Equal(2, opener.Disposed);
    }

    [Fact]
    public async Task Codec_http3_fails_with_a_clear_line_and_opens_nothing()
    {
        var opener = new StreamOpener(new IPEndPoint(IPAddress.Loopback, 9));
        var result = await CheckAsync(Checker(new HttpHealthCheck { Path = "/health", CodecClientType = HealthCheckCodec.Http3 }), opener);
        Assert.Equal(HealthProbeResult.Failure("HTTP/3 is not supported through a tunnel"), result);
        Assert.Equal(0, opener.Opened);
    }

    [Fact]
    public async Task An_upstream_that_never_answers_is_a_counted_failure_within_the_timeout()
    {
        await using var upstream = await HealthUpstream.StartAsync();
        var opener = new StreamOpener(upstream.EndPoint);
        var watch = Stopwatch.StartNew();

        var result = await CheckAsync(Checker(new HttpHealthCheck { Path = "/hang" }, timeoutSeconds: 0.5), opener);

        Assert.Equal(HealthProbeResult.Failure("timeout after 500ms"), result);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(3));
        Assert.Equal(1, opener.Disposed);
        await upstream.WaitForAllClosedAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_callers_cancellation_throws_instead_of_reporting_a_result()
    {
        await using var upstream = await HealthUpstream.StartAsync();
        var opener = new StreamOpener(upstream.EndPoint);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Checker(new HttpHealthCheck { Path = "/hang" }, timeoutSeconds: 20).CheckAsync(Plain, opener.OpenAsync, cts.Token));
        Assert.Equal(1, opener.Disposed);
    }

    [Fact]
    public async Task A_refused_connection_is_a_counted_failure()
    {
        var opener = new StreamOpener(ClosedPort());
        var result = await CheckAsync(Checker(new HttpHealthCheck { Path = "/health" }), opener);
        Assert.Equal(HealthProbeOutcome.Failure, result.Outcome);
        Assert.StartsWith("connect failed: ", result.Detail);
        Assert.Equal(1, opener.Opened);
    }

    [Fact]
    public async Task Receive_payloads_must_appear_in_order_within_the_response_buffer()
    {
        await using var upstream = await HealthUpstream.StartAsync();
        var opener = new StreamOpener(upstream.EndPoint);
        upstream.Body = "status: all good; db: up";
        HttpHealthCheck Receiving(int? bufferSize, params string[] payloads) => new()
        {
            Path = "/health",
            Receive = payloads.Select(p => new HealthCheckPayload(Encoding.ASCII.GetBytes(p))).ToList(),
            ResponseBufferSize = bufferSize,
        };

        Assert.Equal(HealthProbeOutcome.Success, (await CheckAsync(Checker(Receiving(null, "all good", "db: up")), opener)).Outcome);
        var wrongOrder = await CheckAsync(Checker(Receiving(null, "db: up", "all good")), opener);
        Assert.Equal(HealthProbeOutcome.ImmediateFailure, wrongOrder.Outcome);
        Assert.Contains("expected response", wrongOrder.Detail);

        upstream.Body = new string('x', 2000) + "tail";
        Assert.Equal(HealthProbeOutcome.ImmediateFailure, (await CheckAsync(Checker(Receiving(null, "tail")), opener)).Outcome);
        Assert.Equal(HealthProbeOutcome.Success, (await CheckAsync(Checker(Receiving(0, "tail")), opener)).Outcome);
        Assert.Equal(HealthProbeOutcome.Success, (await CheckAsync(Checker(Receiving(4096, "tail")), opener)).Outcome);

        // Envoy looks at the body before the status: a mismatch fails at once even on a retriable status.
        upstream.Status = 503;
        var check = Receiving(null, "nothing like it") with { RetriableStatuses = [new StatusRange(500, 600)] };
        Assert.Equal(HealthProbeOutcome.ImmediateFailure, (await CheckAsync(Checker(check), opener)).Outcome);
        Assert.Equal(opener.Opened, opener.Disposed);
    }

    [Fact]
    public async Task Https_upstreams_get_tls_with_the_routes_name_and_verification_rules()
    {
        using var caDirectory = new TempDirectory();
        using var ca = new LocalCertificateAuthority(caDirectory.Path);
        using var certificate = ca.IssueLeaf("upstream.internal");
        await using var upstream = await HealthUpstream.StartAsync(HealthUpstreamMode.Https, certificate);
        var opener = new StreamOpener(upstream.EndPoint);
        var trusting = new HealthProbeTarget(new Uri("https://upstream.internal:8443"), tlsSkipVerify: true);

        var http1 = await CheckAsync(Checker(new HttpHealthCheck { Path = "/health" }), opener, trusting);
        Assert.Equal(HealthProbeOutcome.Success, http1.Outcome);
        Assert.Equal("https", upstream.LastScheme);
        Assert.Equal("HTTP/1.1", upstream.LastProtocol);
        Assert.Equal("upstream.internal", upstream.LastSni);

        var http2 = await CheckAsync(Checker(new HttpHealthCheck { Path = "/health", CodecClientType = HealthCheckCodec.Http2 }), opener, trusting);
        Assert.Equal(HealthProbeOutcome.Success, http2.Outcome);
        Assert.Equal("HTTP/2", upstream.LastProtocol);

        var named = new HealthProbeTarget(new Uri("https://10.9.8.7:8443"), tlsServerName: "upstream.internal", tlsSkipVerify: true);
        await CheckAsync(Checker(new HttpHealthCheck { Path = "/health" }), opener, named);
        Assert.Equal("upstream.internal", upstream.LastSni);
        Assert.Equal("10.9.8.7:8443", upstream.LastHost);

        // The local CA is not in the system store: verification is on unless tls_skip_verify.
        var strict = await CheckAsync(Checker(new HttpHealthCheck { Path = "/health" }), opener, new HealthProbeTarget(new Uri("https://upstream.internal:8443")));
        Assert.Equal(HealthProbeOutcome.Failure, strict.Outcome);
        Assert.StartsWith("TLS to upstream.internal failed", strict.Detail);
        Assert.Equal(opener.Opened, opener.Disposed);
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    internal static IPEndPoint ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        listener.Stop();
        return endpoint;
    }
}
