using Gateway.Testing;
using System.Net;
using Gateway.Node.Tests.Http.Support;
using Gateway.Node.Http;

namespace Gateway.Node.Tests.Http;

public sealed class ProxyErrorTests
{
    [Fact]
    public async Task Route_without_endpoint_answers_503_at_once_naming_the_host()
    {
        var dialer = new TestTunnelDialer();
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("r1", "app.test", "http://localhost:3000")]);

        var started = DateTime.UtcNow;
        var curl = await ProcessRunner.CurlAsync(gateway.CaPath, "app.test", gateway.Port, "/");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Equal(0, curl.ExitCode);
        Assert.EndsWith("503 1.1", curl.StdOut.Replace("503 2", "503 1.1"));
        Assert.Contains("no upstream tunnel is connected for app.test", curl.StdOut);
        Assert.Empty(dialer.Dials);
    }

    [Fact]
    public async Task Dialer_reporting_no_endpoint_answers_503()
    {
        var dialer = new TestTunnelDialer { Fail = r => new NoTunnelEndpointException(r.RouteId) };
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("r1", "app.test", "http://localhost:3000")]);
        gateway.Config.UpdateEndpoints("r1", ["gone"]);

        using var client = gateway.CreateClient();
        using var response = await client.GetAsync(gateway.Url("app.test", "/"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("no upstream tunnel is connected for app.test", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refused_channel_answers_502_with_a_page()
    {
        var dialer = new TestTunnelDialer { Fail = _ => new TunnelOpenFailedException("open failed: administratively prohibited") };
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("r1", "app.test", "http://localhost:3000")]);
        gateway.Config.UpdateEndpoints("r1", ["ep1"]);

        var curl = await ProcessRunner.CurlAsync(gateway.CaPath, "app.test", gateway.Port, "/", "--http1.1");
        Assert.Equal(0, curl.ExitCode);
        Assert.EndsWith("502 1.1", curl.StdOut);
        // The visitor learns the status and a request id; the refusal's text is for the log.
        Assert.DoesNotContain("administratively prohibited", curl.StdOut);
        Assert.Contains("the upstream of app.test could not be reached", curl.StdOut);
        Assert.Matches("Request id: <code>[^<]+</code>", curl.StdOut);
    }

    [Fact]
    public async Task Upstream_idle_timeout_answers_504()
    {
        await using var upstream = await UpstreamServer.StartAsync("slow");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        var route = Routes.Public("r1", "app.test", "http://localhost:3000") with { IdleTimeout = TimeSpan.FromSeconds(1) };
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [route]);
        gateway.Config.UpdateEndpoints("r1", ["ep1"]);

        var curl = await ProcessRunner.CurlAsync(gateway.CaPath, "app.test", gateway.Port, "/slow?ms=8000", "--http1.1");
        Assert.Equal(0, curl.ExitCode);
        Assert.EndsWith("504 1.1", curl.StdOut);
        Assert.Contains("did not answer in time", curl.StdOut);
    }

    [Fact]
    public async Task Route_timeout_answers_504()
    {
        await using var upstream = await UpstreamServer.StartAsync("slow");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        var route = Routes.Public("r1", "app.test", "http://localhost:3000") with { Timeout = TimeSpan.FromSeconds(1) };
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [route]);
        gateway.Config.UpdateEndpoints("r1", ["ep1"]);

        using var client = gateway.CreateClient();
        var started = DateTime.UtcNow;
        using var response = await client.GetAsync(gateway.Url("app.test", "/slow?ms=8000"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Route_that_is_not_public_answers_401_sign_in_not_configured()
    {
        await using var upstream = await UpstreamServer.StartAsync("one");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        var route = Routes.Public("r1", "private.test", "http://localhost:3000") with { AllowPublicUnauthenticatedAccess = false };
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [route]);
        gateway.Config.UpdateEndpoints("r1", ["ep1"]);

        var curl = await ProcessRunner.CurlAsync(gateway.CaPath, "private.test", gateway.Port, "/", "--http1.1");
        Assert.EndsWith("401 1.1", curl.StdOut);
        Assert.Contains("sign-in is not configured on this gateway", curl.StdOut);
        Assert.Empty(dialer.Dials);
        Assert.Equal(0, upstream.RequestCount);
    }

    [Fact]
    public async Task Unknown_host_answers_404()
    {
        var dialer = new TestTunnelDialer();
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("r1", "app.test", "http://localhost:3000")]);

        var curl = await ProcessRunner.CurlAsync(gateway.CaPath, "other.test", gateway.Port, "/x", "--http1.1");
        Assert.EndsWith("404 1.1", curl.StdOut);
        Assert.Contains("no route is configured for other.test", curl.StdOut);
    }

    [Fact]
    public async Task Upstream_dropping_mid_response_fails_that_download_and_the_gateway_keeps_serving()
    {
        await using var upstream = await UpstreamServer.StartAsync("flaky");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("r1", "app.test", "http://localhost:3000")]);
        gateway.Config.UpdateEndpoints("r1", ["ep1"]);

        foreach (var flag in new[] { "--http1.1", "--http2" })
        {
            var broken = await ProcessRunner.CurlAsync(gateway.CaPath, "app.test", gateway.Port, "/abort", flag, "-o", "/dev/null");
            Assert.NotEqual(0, broken.ExitCode);
            var ok = await ProcessRunner.CurlAsync(gateway.CaPath, "app.test", gateway.Port, "/after", flag);
            Assert.Equal(0, ok.ExitCode);
            Assert.Contains("path=/after", ok.StdOut);
        }
    }

    [Fact]
    public async Task Direct_https_route_without_tunnels_validates_or_skips_as_configured()
    {
        var caTemp = new TempDirectory();
        var caDir = caTemp.Path;
        try
        {
            using var upstreamCa = new LocalCertificateAuthority(caDir);
            using var certificate = upstreamCa.IssueLeaf("127.0.0.1");
            await using var upstream = await UpstreamServer.StartAsync("tls", UpstreamMode.Https, certificate);
            var to = $"https://127.0.0.1:{upstream.EndPoint.Port}";
            var skip = Routes.Public("d1", "skip.test", to) with { UpstreamTunnel = null, TlsSkipVerify = true };
            var strict = Routes.Public("d2", "strict.test", to) with { UpstreamTunnel = null };
            var dialer = new TestTunnelDialer();
            await using var gateway = await GatewayTestHost.StartAsync(dialer, [skip, strict]);

            var ok = await ProcessRunner.CurlAsync(gateway.CaPath, "skip.test", gateway.Port, "/d", "--http1.1");
            Assert.EndsWith("200 1.1", ok.StdOut);
            Assert.Contains("scheme=https;", ok.StdOut);
            Assert.Contains($"host=127.0.0.1:{upstream.EndPoint.Port};", ok.StdOut);
            var refused = await ProcessRunner.CurlAsync(gateway.CaPath, "strict.test", gateway.Port, "/d", "--http1.1");
            Assert.EndsWith("502 1.1", refused.StdOut);
            Assert.Empty(dialer.Dials);
        }
        finally
        {
            caTemp.Dispose();
        }
    }
}
