using Gateway.Node.Tests.Http.Support;
using Gateway.Node.Http;

namespace Gateway.Node.Tests.Http;

public sealed class HostHeaderTests
{
    private static async Task<string> FetchAsync(Gateway.Config.RouteConfig route, string host, string path, bool useTunnel = true, params (string Name, string Value)[] headers)
    {
        await using var upstream = await UpstreamServer.StartAsync("up");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        if (!useTunnel)
            route = route with { UpstreamTunnel = null, To = [Routes.Target($"http://127.0.0.1:{upstream.EndPoint.Port}")] };
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [route]);
        gateway.Config.UpdateEndpoints(route.Id, ["ep1"]);
        using var client = gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.Url(host, path));
        foreach (var (name, value) in headers)
            request.Headers.Add(name, value);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Equal(useTunnel ? 1 : 0, dialer.Dials.Count);
        return body.Replace($":{gateway.Port}", ":PORT").Replace($":{upstream.EndPoint.Port}", ":UPSTREAM");
    }

    [Fact]
    public async Task Tunnel_route_passes_the_original_host_through()
    {
        var body = await FetchAsync(Routes.Public("r1", "app.test", "http://localhost:3000"), "app.test", "/");
        Assert.Contains("host=app.test:PORT;", body);
    }

    [Fact]
    public async Task Wildcard_route_passes_the_concrete_host_through()
    {
        var body = await FetchAsync(Routes.Public("r1", "*.wild.test", "http://localhost:3000"), "a.wild.test", "/");
        Assert.Contains("host=a.wild.test:PORT;", body);
        var deeper = await FetchAsync(Routes.Public("r1", "*.wild.test", "http://localhost:3000"), "x.y.wild.test", "/");
        Assert.Contains("host=x.y.wild.test:PORT;", deeper);
    }

    [Fact]
    public async Task Host_rewrite_sets_a_literal_host_and_keeps_x_forwarded_host()
    {
        var route = Routes.Public("r1", "app.test", "http://localhost:3000") with { HostRewrite = "internal.example" };
        var body = await FetchAsync(route, "app.test", "/");
        Assert.Contains("host=internal.example;", body);
        Assert.Contains("xfh=app.test:PORT;", body);
    }

    [Fact]
    public async Task Host_rewrite_header_takes_the_host_from_a_request_header()
    {
        var route = Routes.Public("r1", "app.test", "http://localhost:3000") with { HostRewriteHeader = "X-Target-Host" };
        var body = await FetchAsync(route, "app.test", "/", true, ("X-Target-Host", "from-header.example"));
        Assert.Contains("host=from-header.example;", body);
        var absent = await FetchAsync(route, "app.test", "/");
        Assert.Contains("host=app.test:PORT;", absent);
    }

    [Fact]
    public async Task Host_path_regex_rewrite_derives_the_host_from_the_path()
    {
        var route = Routes.Public("r1", "app.test", "http://localhost:3000") with
        {
            HostPathRegexRewritePattern = "^/h/([a-z]+)/.*$",
            HostPathRegexRewriteSubstitution = "\\1.internal",
        };
        var body = await FetchAsync(route, "app.test", "/h/foo/rest?q=1");
        Assert.Contains("host=foo.internal;", body);
        Assert.Contains("path=/h/foo/rest", body);
    }

    [Fact]
    public async Task Direct_route_rewrites_to_the_to_host_unless_preserve_host_header()
    {
        var auto = await FetchAsync(Routes.Public("r1", "app.test", "http://localhost:3000"), "app.test", "/", useTunnel: false);
        Assert.Contains("host=127.0.0.1:UPSTREAM;", auto);
        var preserved = await FetchAsync(Routes.Public("r1", "app.test", "http://localhost:3000") with { PreserveHostHeader = true }, "app.test", "/", useTunnel: false);
        Assert.Contains("host=app.test:PORT;", preserved);
    }
}
