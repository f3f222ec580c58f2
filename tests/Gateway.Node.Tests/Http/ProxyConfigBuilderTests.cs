using System.Net;
using Gateway.Node.Tests.Http.Support;
using Gateway.Node.Http;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Node.Tests.Http;

public sealed class ProxyConfigBuilderTests
{
    private readonly TunnelDestinationTable _table = new();

    private ProxyConfigBuilder NewBuilder() => new(_table);

    [Fact]
    public void Tunnel_route_has_one_destination_per_endpoint_and_to_resolving_to_the_endpoint()
    {
        var builder = NewBuilder();
        builder.SetRoutes([Routes.Public("r1", "app.test", "http://a.internal:8080/base", "https://b.internal")]);
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
        Assert.Equal(2, _table.Count);
    }

    [Fact]
    public void H2c_route_asks_for_http2_exactly()
    {
        var builder = NewBuilder();
        builder.SetRoutes([Routes.Public("g", "grpc.test", "h2c://localhost:50051")]);
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
        var builder = NewBuilder();
        builder.SetRoutes([Routes.Public("d", "app.test", "http://127.0.0.1:8081,2", "https://upstream.test:8443,4") with { UsesTunnel = false }]);
        var destinations = builder.Provider.GetConfig().Clusters.Single().Destinations!.Values.Select(d => d.Address).ToList();
        Assert.Equal(3, destinations.Count);
        Assert.Equal(1, destinations.Count(a => a == "http://127.0.0.1:8081/"));
        Assert.Equal(2, destinations.Count(a => a == "https://upstream.test:8443/"));
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void Set_routes_keeps_endpoints_of_surviving_routes_and_drops_removed_ones()
    {
        var builder = NewBuilder();
        builder.SetRoutes([Routes.Public("a", "a.test", "http://x"), Routes.Public("b", "b.test", "http://x")]);
        builder.UpdateEndpoints("a", ["e1"]);
        builder.UpdateEndpoints("b", ["e2"]);
        builder.SetRoutes([Routes.Public("a", "a2.test", "http://x")]);
        Assert.Equal(["e1"], builder.GetEndpoints("a"));
        Assert.Empty(builder.GetEndpoints("b"));
        Assert.Equal(["a2.test"], builder.Provider.GetConfig().Routes.Single().Match.Hosts);
        Assert.True(builder.RemoveRoute("a"));
        Assert.Empty(builder.Provider.GetConfig().Routes);
        Assert.Equal(0, _table.Count);
    }

    [Theory]
    [InlineData("mixed", "h2c and http")]
    [InlineData("two-tls-hosts", "tls_upstream_server_name")]
    [InlineData("bad-regex", "not a valid regex")]
    [InlineData("regex-no-sub", "needs host_path_regex_rewrite_substitution")]
    [InlineData("host-port", "without port")]
    [InlineData("no-to", "at least one URL")]
    [InlineData("zero-timeout", "timeout must be positive")]
    public void Invalid_routes_are_rejected_with_a_message_naming_the_option(string kind, string message)
    {
        var basic = Routes.Public("r", "app.test", "http://x");
        var route = kind switch
        {
            "mixed" => basic with { To = [UpstreamUrl.Parse("h2c://x"), UpstreamUrl.Parse("http://y")] },
            "two-tls-hosts" => basic with { To = [UpstreamUrl.Parse("https://x"), UpstreamUrl.Parse("https://y")] },
            "bad-regex" => basic with { HostPathRegexRewritePattern = "(", HostPathRegexRewriteSubstitution = "x" },
            "regex-no-sub" => basic with { HostPathRegexRewritePattern = "a" },
            "host-port" => basic with { Host = "app.test:443" },
            "no-to" => basic with { To = [] },
            "zero-timeout" => basic with { Timeout = TimeSpan.Zero },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var error = Assert.Throws<ArgumentException>(() => NewBuilder().AddOrUpdateRoute(route));
        Assert.Contains(message.Replace("h2c and http", "h2c:// 'to' URLs cannot be mixed"), error.Message);
        Assert.Contains("route r", error.Message);
    }

    [Fact]
    public void Duplicate_route_ids_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => NewBuilder().SetRoutes([Routes.Public("r", "a.test", "http://x"), Routes.Public("r", "b.test", "http://x")]));
        Assert.Contains("'r'", error.Message);
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
        var builder = NewBuilder();
        builder.SetRoutes([Routes.Public("a", "app.test", "http://x"), Routes.Public("w", "*.wild.test", "http://x")]);
        Assert.Equal(expected, builder.IsRouteHost(host));
    }

    [Fact]
    public void Config_is_a_yarp_provider()
    {
        IProxyConfigProvider provider = NewBuilder().Provider;
        Assert.NotNull(provider.GetConfig());
    }
}
