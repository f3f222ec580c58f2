using System.Text;
using Gateway.Actors.Health;
using Gateway.Config;
using Gateway.Node.Health;

namespace Gateway.Node.Tests.Health;

/// <summary>The defaults a check derives from the route's <c>to</c> URL, the factory, the matcher.</summary>
public sealed class HealthProbeTargetTests
{
    [Theory]
    [InlineData("http://app.internal:8080", "app.internal:8080")]
    [InlineData("http://app.internal", "app.internal:80")]
    [InlineData("https://app.internal", "app.internal:443")]
    [InlineData("h2c://app.internal", "app.internal:80")]
    [InlineData("h2c://app.internal:50051", "app.internal:50051")]
    [InlineData("http://127.0.0.1:3000", "127.0.0.1:3000")]
    [InlineData("http://[::1]:3000", "[::1]:3000")]
    [InlineData("http://bücher.example", "xn--bcher-kva.example:80")]
    public void The_default_host_and_authority_is_the_to_address_with_its_port(string to, string expected)
        => Assert.Equal(expected, new HealthProbeTarget(new Uri(to)).DefaultAuthority);

    [Fact]
    public void The_tls_name_is_tls_upstream_server_name_else_the_to_host()
    {
        Assert.Equal("app.internal", new HealthProbeTarget(new Uri("https://app.internal:8443")).EffectiveTlsServerName);
        Assert.Equal("upstream.internal", new HealthProbeTarget(new Uri("https://10.0.0.1"), "upstream.internal").EffectiveTlsServerName);
    }

    [Theory]
    [InlineData("ftp://app.internal")]
    [InlineData("tcp://app.internal:22")]
    public void Schemes_other_than_http_https_h2c_are_refused(string to)
        => Assert.Throws<ArgumentException>(() => new HealthProbeTarget(new Uri(to)));

    [Fact]
    public void The_factory_builds_the_checker_of_the_configured_kind_with_its_timeout()
    {
        HealthCheckConfig Config(HttpHealthCheck? http = null, TcpHealthCheck? tcp = null, GrpcHealthCheck? grpc = null) => new()
        {
            Timeout = TimeSpan.FromMilliseconds(750),
            Interval = TimeSpan.FromSeconds(10),
            UnhealthyThreshold = 1,
            HealthyThreshold = 1,
            Http = http,
            Tcp = tcp,
            Grpc = grpc,
        };

        var http = Assert.IsType<HttpHealthChecker>(HealthCheckerFactory.Create(Config(http: new HttpHealthCheck { Path = "/h" })));
        Assert.Equal(TimeSpan.FromMilliseconds(750), http.Timeout);
        Assert.IsType<TcpHealthChecker>(HealthCheckerFactory.Create(Config(tcp: new TcpHealthCheck(null, []))));
        Assert.IsType<GrpcHealthChecker>(HealthCheckerFactory.Create(Config(grpc: new GrpcHealthCheck(null, null))));
        Assert.Throws<ArgumentException>(() => HealthCheckerFactory.Create(Config()));
    }

    [Fact]
    public void Receive_payloads_longer_than_the_response_buffer_are_refused_as_envoy_does()
    {
        var check = new HttpHealthCheck { Path = "/h", ResponseBufferSize = 4, Receive = [new HealthCheckPayload(new byte[5])] };
        var error = Assert.Throws<ArgumentException>(() => new HttpHealthChecker(check, TimeSpan.FromSeconds(1)));
        Assert.Contains("response_buffer_size", error.Message);
    }

    [Theory]
    [InlineData("xxPOyyNGzz", true)]
    [InlineData("PONG", true)]
    [InlineData("NGPO", false)]
    [InlineData("PON", false)]
    [InlineData("POPO", false)]
    public void Payloads_match_in_order_not_necessarily_contiguous(string received, bool matches)
    {
        HealthCheckPayload[] expected = [new(Encoding.ASCII.GetBytes("PO")), new(Encoding.ASCII.GetBytes("NG"))];
        Assert.Equal(matches, PayloadMatcher.Matches(expected, Encoding.ASCII.GetBytes(received)));
    }
}
