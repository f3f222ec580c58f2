using System.Net;
using Gateway.Node.Tests.Http.Support;
using Gateway.Node.Http;

namespace Gateway.Node.Tests.Http;

/// <summary>Requests through the real gateway listener, a dialer that opens real TCP connections, and a real Kestrel upstream.</summary>
public sealed class ProxyBasicsTests
{
    [Fact]
    public async Task Curl_http1_and_http2_reach_the_upstream_through_the_tunnel()
    {
        await using var upstream = await UpstreamServer.StartAsync("one");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("r1", "app.test", "http://localhost:3000")]);
        gateway.Config.UpdateEndpoints("r1", ["ep1"]);

        var h1 = await ProcessRunner.CurlAsync(gateway.CaPath, "app.test", gateway.Port, "/hello", "--http1.1");
        Assert.Equal(0, h1.ExitCode);
        Assert.Contains("name=one;", h1.StdOut);
        Assert.Contains("path=/hello", h1.StdOut);
        Assert.EndsWith("200 1.1", h1.StdOut);

        var h2 = await ProcessRunner.CurlAsync(gateway.CaPath, "app.test", gateway.Port, "/two", "--http2");
        Assert.Equal(0, h2.ExitCode);
        Assert.Contains("path=/two", h2.StdOut);
        Assert.EndsWith("200 2", h2.StdOut);

        using var client = gateway.CreateClient(HttpVersion.Version20);
        using var response = await client.GetAsync(gateway.Url("app.test", "/client"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("one", response.Headers.GetValues("X-Upstream").Single());

        var dial = Assert.Single(dialer.Dials.DistinctBy(d => d.DestinationId));
        Assert.Equal("r1", dial.RouteId);
        Assert.Equal("ep1", dial.DestinationId);
        Assert.Equal(new Uri("http://localhost:3000"), dial.Upstream);
        Assert.NotNull(dial.Downstream);
        Assert.Equal(IPAddress.Loopback, dial.Downstream!.Address);
    }

    [Fact]
    public async Task Two_endpoints_share_requests_round_robin()
    {
        await using var a = await UpstreamServer.StartAsync("a");
        await using var b = await UpstreamServer.StartAsync("b");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep-a", a.EndPoint);
        dialer.MapEndpoint("ep-b", b.EndPoint);
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("r1", "app.test", "http://localhost:3000")]);
        gateway.Config.UpdateEndpoints("r1", ["ep-a", "ep-b"]);

        using var client = gateway.CreateClient();
        var names = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync(gateway.Url("app.test", "/"));
            names.Add(response.Headers.GetValues("X-Upstream").Single());
        }
        Assert.Equal(5, names.Count(n => n == "a"));
        Assert.Equal(5, names.Count(n => n == "b"));
        for (var i = 1; i < names.Count; i++)
            Assert.NotEqual(names[i - 1], names[i]);
    }

    [Fact]
    public async Task Two_to_urls_alternate_over_one_endpoint()
    {
        await using var a = await UpstreamServer.StartAsync("a");
        await using var b = await UpstreamServer.StartAsync("b");
        var dialer = new TestTunnelDialer();
        await using var gateway = await GatewayTestHost.StartAsync(dialer,
            [Routes.Public("r1", "app.test", $"http://127.0.0.1:{a.EndPoint.Port}", $"http://127.0.0.1:{b.EndPoint.Port}")]);
        gateway.Config.UpdateEndpoints("r1", ["ep1"]);

        using var client = gateway.CreateClient();
        var names = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.GetAsync(gateway.Url("app.test", "/"));
            names.Add(response.Headers.GetValues("X-Upstream").Single());
        }
        Assert.Equal(3, names.Count(n => n == "a"));
        Assert.Equal(3, names.Count(n => n == "b"));
        for (var i = 1; i < names.Count; i++)
            Assert.NotEqual(names[i - 1], names[i]);
        Assert.All(dialer.Dials, d => Assert.Equal("ep1", d.DestinationId));
    }

    [Fact]
    public async Task Sequential_requests_reuse_one_channel()
    {
        await using var upstream = await UpstreamServer.StartAsync("one");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("r1", "app.test", "http://localhost:3000")]);
        gateway.Config.UpdateEndpoints("r1", ["ep1"]);

        using var client = gateway.CreateClient();
        for (var i = 0; i < 25; i++)
        {
            using var response = await client.GetAsync(gateway.Url("app.test", $"/n{i}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Single(dialer.Dials);
        Assert.Equal(1, upstream.Connections);
        Assert.Equal(25, upstream.RequestCount);
    }

    [Fact]
    public async Task Pooled_connection_lifetime_forces_a_new_channel()
    {
        await using var upstream = await UpstreamServer.StartAsync("one");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("r1", "app.test", "http://localhost:3000")],
            GatewayHttpOptions.FromConfig(new Gateway.Config.GatewayConfig { UpstreamPooledConnectionLifetime = TimeSpan.FromSeconds(3) }));
        gateway.Config.UpdateEndpoints("r1", ["ep1"]);

        using var client = gateway.CreateClient();
        (await client.GetAsync(gateway.Url("app.test", "/1"))).Dispose();
        (await client.GetAsync(gateway.Url("app.test", "/2"))).Dispose();
        Assert.Single(dialer.Dials);
        await Task.Delay(TimeSpan.FromMilliseconds(3600));
        (await client.GetAsync(gateway.Url("app.test", "/3"))).Dispose();
        Assert.Equal(2, dialer.Dials.Count);
    }

    [Fact]
    public async Task New_endpoint_gets_traffic_after_update()
    {
        await using var a = await UpstreamServer.StartAsync("a");
        await using var b = await UpstreamServer.StartAsync("b");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep-a", a.EndPoint);
        dialer.MapEndpoint("ep-b", b.EndPoint);
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("r1", "app.test", "http://localhost:3000")]);
        using var client = gateway.CreateClient();

        gateway.Config.UpdateEndpoints("r1", ["ep-a"]);
        using (var first = await client.GetAsync(gateway.Url("app.test", "/")))
            Assert.Equal("a", first.Headers.GetValues("X-Upstream").Single());

        gateway.Config.UpdateEndpoints("r1", ["ep-b"]);
        using (var second = await client.GetAsync(gateway.Url("app.test", "/")))
            Assert.Equal("b", second.Headers.GetValues("X-Upstream").Single());

        gateway.Config.UpdateEndpoints("r1", []);
        using var third = await client.GetAsync(gateway.Url("app.test", "/"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
    }
}
