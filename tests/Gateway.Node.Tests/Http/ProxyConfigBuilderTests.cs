using System.Net;
using Gateway.Node.Tests.Http.Support;
using Gateway.Node.Http;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Node.Tests.Http;

public sealed class ProxyConfigBuilderTests
{
    private readonly TunnelDestinationTable _table = new();

    private ProxyConfigBuilder NewBuilder(params Gateway.Config.RouteConfig[] routes) => new(Routes.Table(routes), _table);

    [Fact]
    public void Tunnel_route_has_one_destination_per_endpoint_and_to_resolving_to_the_endpoint()
    {
        var builder = NewBuilder(Routes.Public("r1", "app.test", "http://a.internal:8080/base", "https://b.internal"));
        var empty = builder.Provider.GetConfig();
        Assert.Empty(empty.Clusters.Single().Destinations!);

        builder.UpdateEndpoints("r1", ["e1", "e2"]);
        var config = builder.Provider.GetConfig();
        Assert.True(empty.ChangeToken.HasChanged);
        var route = config.Routes.Single();
        Assert.Equal(["app.test"], route.Match.Hosts);
        Assert.Equal("r1", route.ClusterId);
        var cluster = config.Clusters.Single();
        Assert.Equal("RoundRobin", cluster.LoadBalancingPolicy);
        Assert.Equal(4, cluster.Destinations!.Count);
        Assert.Equal("b.internal", cluster.Metadata![ProxyMetadata.TlsServerName]);
        Assert.Equal(HttpVersion.Version11, cluster.HttpRequest!.Version);

        var resolved = cluster.Destinations.Values.Select(d =>
        {
            var uri = new Uri(d.Address);
            Assert.Equal("http", uri.Scheme);
            Assert.True(_table.TryResolve(uri.Host, out var destination));
            return (destination!.EndpointId, destination.Upstream.ToString(), uri.Port, uri.AbsolutePath);
        }).OrderBy(x => x.EndpointId).ThenBy(x => x.Item2).ToList();
        Assert.Equal(
            [("e1", "http://a.internal:8080/base", 8080, "/base"), ("e1", "https://b.internal/", 443, "/"),
             ("e2", "http://a.internal:8080/base", 8080, "/base"), ("e2", "https://b.internal/", 443, "/")],
            resolved);

        builder.UpdateEndpoints("r1", ["e2"]);
        Assert.Equal(2, builder.Provider.GetConfig().Clusters.Single().Destinations!.Count);
        Assert.Equal(2 + StandIns(builder, "r1"), _table.Count);

        // A request YARP routed to e1 just before the rebuild still resolves it (the dialer then
        // finds e1 gone and takes another endpoint), instead of failing on an unknown name.
        var retired = cluster.Destinations.Values.Select(d => new Uri(d.Address).Host).ToList();
        Assert.All(retired, host => Assert.True(_table.TryResolve(host, out _)));
    }

    [Fact]
    public void H2c_route_asks_for_http2_exactly()
    {
        var builder = NewBuilder(Routes.Public("g", "grpc.test", "h2c://localhost:50051"));
        builder.UpdateEndpoints("g", ["e1"]);
        var cluster = builder.Provider.GetConfig().Clusters.Single();
        Assert.Equal(HttpVersion.Version20, cluster.HttpRequest!.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, cluster.HttpRequest.VersionPolicy);
        Assert.StartsWith("http://ep-", cluster.Destinations!.Single().Value.Address);
        Assert.EndsWith(".tunnel.invalid:50051/", cluster.Destinations!.Single().Value.Address);
    }

    [Fact]
    public void Direct_route_uses_to_urls_with_weights()
    {
        var builder = NewBuilder(Routes.Public("d", "app.test", "http://127.0.0.1:8081,2", "https://upstream.test:8443,4") with { UpstreamTunnel = null });
        var destinations = builder.Provider.GetConfig().Clusters.Single().Destinations!.Values.Select(d => d.Address).ToList();
        Assert.Equal(3, destinations.Count);
        Assert.Equal(1, destinations.Count(a => a == "http://127.0.0.1:8081/"));
        Assert.Equal(2, destinations.Count(a => a == "https://upstream.test:8443/"));
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void Endpoints_of_unknown_routes_are_kept_out_of_the_snapshot()
    {
        var builder = NewBuilder(Routes.Public("a", "a.test", "http://x"), Routes.Public("b", "b.test", "http://x"));
        var before = builder.Provider.GetConfig();
        builder.UpdateEndpoints("gone", ["e9"]);
        Assert.False(before.ChangeToken.HasChanged);
        builder.UpdateEndpoints("a", ["e1"]);
        builder.UpdateEndpoints("b", ["e2"]);
        Assert.Equal(["e1"], builder.GetEndpoints("a"));
        builder.UpdateEndpoints("b", []);
        Assert.Empty(builder.GetEndpoints("b"));
        var config = builder.Provider.GetConfig();
        Assert.Equal(["a", "b"], config.Routes.Select(r => r.RouteId));
        Assert.Single(config.Clusters.Single(c => c.ClusterId == "a").Destinations!);
        Assert.Empty(config.Clusters.Single(c => c.ClusterId == "b").Destinations!);
        Assert.Equal(1 + StandIns(builder, "a") + StandIns(builder, "b"), _table.Count);
    }

    /// <summary>The hosts of a route's "any endpoint" stand-ins, which the table keeps for the node's lifetime.</summary>
    private static int StandIns(ProxyConfigBuilder builder, string routeId) => builder.AnyEndpointDestinations(routeId).Count;

    [Fact]
    public void Tunnel_routes_have_stand_ins_for_any_endpoint_that_outlive_every_rebuild()
    {
        var builder = NewBuilder(Routes.Public("r1", "app.test", "http://a.internal:8080", "https://b.internal"),
            Routes.Public("d", "direct.test", "http://127.0.0.1:8081") with { UpstreamTunnel = null });
        Assert.Empty(builder.AnyEndpointDestinations("d"));
        var standIns = builder.AnyEndpointDestinations("r1");
        Assert.Equal(["*#0", "*#1"], standIns.Select(d => d.DestinationId));
        builder.UpdateEndpoints("r1", ["e1"]);
        builder.UpdateEndpoints("r1", []);
        var resolved = standIns.Select(d =>
        {
            Assert.True(_table.TryResolve(new Uri(d.Model.Config.Address).Host, out var destination));
            return (destination!.RouteId, destination.EndpointId, destination.Upstream.ToString());
        }).ToList();
        Assert.Equal([("r1", "*", "http://a.internal:8080/"), ("r1", "*", "https://b.internal/")], resolved);
        Assert.Equal(StandIns(builder, "r1"), _table.Count);
    }

    [Fact]
    public void Ssh_routes_are_not_proxied_over_http()
    {
        var ssh = new Gateway.Config.RouteConfig
        {
            Id = "box",
            From = new Gateway.Config.RouteFrom("ssh", "box", null, false, "ssh://box"),
            To = [new Gateway.Config.RouteTarget(new Uri("ssh://127.0.0.1:22"), null)],
            UpstreamTunnel = new Gateway.Config.UpstreamTunnelConfig(null),
        };
        var config = NewBuilder(ssh, Routes.Public("a", "a.test", "http://x")).Provider.GetConfig();
        Assert.Equal("a", config.Routes.Single().RouteId);
    }

    [Fact]
    public void Route_options_travel_in_yarp_route_and_cluster_config()
    {
        var route = Routes.Public("r", "app.test", "https://x.internal", "https://y.internal") with
        {
            AllowPublicUnauthenticatedAccess = false,
            PreserveHostHeader = true,
            HostRewrite = "lit.example",
            HostRewriteHeader = "X-Host",
            HostPathRegexRewritePattern = "^/(.*)$",
            HostPathRegexRewriteSubstitution = @"\1.internal",
            Timeout = TimeSpan.FromSeconds(7),
            IdleTimeout = TimeSpan.FromSeconds(9),
            TlsSkipVerify = true,
            TlsUpstreamServerName = "name.internal",
        };
        var config = NewBuilder(route).Provider.GetConfig();
        var yarpRoute = config.Routes.Single();
        Assert.Equal(TimeSpan.FromSeconds(7), yarpRoute.Timeout);
        Assert.Equal("false", yarpRoute.Metadata![ProxyMetadata.Public]);
        Assert.Equal("true", yarpRoute.Metadata[ProxyMetadata.UsesTunnel]);
        Assert.Equal("true", yarpRoute.Metadata[ProxyMetadata.PreserveHostHeader]);
        Assert.Equal("lit.example", yarpRoute.Metadata[ProxyMetadata.HostRewrite]);
        Assert.Equal("X-Host", yarpRoute.Metadata[ProxyMetadata.HostRewriteHeader]);
        Assert.Equal("^/(.*)$", yarpRoute.Metadata[ProxyMetadata.HostPathRegexPattern]);
        var cluster = config.Clusters.Single();
        Assert.Equal(TimeSpan.FromSeconds(9), cluster.HttpRequest!.ActivityTimeout);
        Assert.True(cluster.HttpClient!.DangerousAcceptAnyServerCertificate);
        Assert.Equal("name.internal", cluster.Metadata![ProxyMetadata.TlsServerName]);

        var untimed = NewBuilder(Routes.Public("u", "u.test", "http://x")).Provider.GetConfig();
        Assert.Null(untimed.Routes.Single().Timeout);
        Assert.Null(untimed.Clusters.Single().HttpRequest!.ActivityTimeout);
    }

    [Theory]
    [InlineData("http://a:1", "http://a:1/", 1)]
    [InlineData("https://a, 3", "https://a/", 3)]
    [InlineData("h2c://grpc:50051,1", "h2c://grpc:50051/", 1)]
    public void Upstream_url_parses_pomerium_weight_syntax(string text, string url, int weight)
    {
        var parsed = UpstreamUrl.Parse(text);
        Assert.Equal(new Uri(url), parsed.Url);
        Assert.Equal(weight, parsed.Weight);
    }

    [Theory]
    [InlineData("http://a,0")]
    [InlineData("http://a,x")]
    [InlineData("ftp://a")]
    [InlineData("not a url")]
    public void Upstream_url_rejects_bad_input(string text) => Assert.Throws<FormatException>(() => UpstreamUrl.Parse(text));

    [Fact]
    public void H2c_default_port_is_80()
    {
        Assert.Equal(80, UpstreamUrl.Parse("h2c://grpc").Port);
        Assert.Equal(443, UpstreamUrl.Parse("https://x").Port);
    }

    [Theory]
    [InlineData(@"\1.internal", "${1}.internal")]
    [InlineData(@"a$b", "a$$b")]
    [InlineData(@"x\\y", @"x\y")]
    [InlineData(@"\2-\1", "${2}-${1}")]
    public void Re2_substitution_becomes_dotnet_substitution(string re2, string dotnet)
        => Assert.Equal(dotnet, HostHeaderPolicy.ToDotNetSubstitution(re2));

    [Theory]
    [InlineData("app.test", true)]
    [InlineData("APP.test", true)]
    [InlineData("a.wild.test", true)]
    [InlineData("wild.test", false)]
    [InlineData("a.b.wild.test", true)]
    [InlineData("other.test", false)]
    public void Route_hosts_cover_exact_names_and_wildcard_suffixes(string host, bool expected)
    {
        var routes = Routes.Table([Routes.Public("a", "app.test", "http://x"), Routes.Public("w", "*.wild.test", "http://x")]);
        Assert.Equal(expected, routes.IsRouteHost(host));
    }

    [Fact]
    public void Config_is_a_yarp_provider()
    {
        IProxyConfigProvider provider = NewBuilder().Provider;
        Assert.NotNull(provider.GetConfig());
    }
}
