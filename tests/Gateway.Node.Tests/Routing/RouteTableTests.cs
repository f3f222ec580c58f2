using System.Net;
using Gateway.Actors.Sessions;
using Gateway.Config;
using Gateway.Node.Http;
using Gateway.Node.Routing;
using Gateway.Node.SshSessions;
using Gateway.Node.Tunnels;
using Gateway.Ssh.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Node.Tests.Routing;

/// <summary>The compile step: config text, validated by the loader, compiled once into the route table its projections read.</summary>
public sealed class RouteTableTests
{
    private const string Hocon = """
        routes = [
          {
            from = "https://app.example.com"
            to = ["http://127.0.0.1:8080,3", "https://backend.internal:8443"]
            allow_public_unauthenticated_access = true
            timeout = 0
            idle_timeout = 20s
            tls_skip_verify = true
            upstream_tunnel {
              ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } }
            }
          }
          {
            from = "https://direct.example.com"
            to = "h2c://10.0.0.5:50051"
            policy { allow { or = [{ email { is = "bob@example.com" } }] } }
          }
          {
            from = "ssh://box"
            to = "ssh://127.0.0.1:22"
            upstream_tunnel { ssh_policy { allow { or = [{ email { is = "bob@example.com" } }] } } }
          }
          {
            from = "https://*.wild.example.com"
            to = "http://127.0.0.1:8081"
            upstream_tunnel {}
          }
        ]
        """;

    private static RouteTable Compile(string hocon, ILogger? logger = null)
        => RouteTable.Compile(GatewayConfigLoader.Parse(hocon, "/base"), logger ?? NullLogger.Instance);

    private static GatewayIdentity Identity(string email)
        => new(email, null, [], Ed25519PrivateKey.Generate().PublicKey, null);

    [Fact]
    public void Host_lookup_prefers_the_exact_route_then_the_longest_wildcard_and_access_compares_policy_as_written()
    {
        var table = Compile("""
            routes = [
              { from = "https://*.example.com", to = "http://a", allow_public_unauthenticated_access = true }
              { from = "https://*.apps.example.com", to = "http://b", allow_public_unauthenticated_access = true }
              { from = "https://one.apps.example.com", to = "http://c", policy { allow { or = [{ email { is = "a@example.com" } }] } } }
              { from = "https://two.example.com", to = "http://d", policy { allow { or = [{ email { is = "a@example.com" } }] } } }
            ]
            """);
        Assert.Equal("https-one.apps.example.com", table.FindHttp("ONE.apps.example.com")?.Id);
        Assert.Equal("https-wildcard.apps.example.com", table.FindHttp("x.apps.example.com")?.Id);
        Assert.Equal("https-wildcard.example.com", table.FindHttp("x.example.com")?.Id);
        Assert.Null(table.FindHttp("example.org"));
        // Same policy text in two routes (their config paths differ): same access. Public differs from both.
        Assert.Equal(table.FindHttp("one.apps.example.com")!.Access, table.FindHttp("two.example.com")!.Access);
        Assert.NotEqual(table.FindHttp("x.example.com")!.Access, table.FindHttp("two.example.com")!.Access);
        Assert.Equal(table.FindHttp("x.example.com")!.Access, table.FindHttp("x.apps.example.com")!.Access);
    }

    [Fact]
    public void Tunnel_route_compiles_once_into_a_model_the_three_projections_agree_on()
    {
        var table = Compile(Hocon);
        var app = table.Find("https-app.example.com")!;
        Assert.True(app.UsesTunnel);
        Assert.Equal(new RouteAddress("app.example.com", RouteScheme.Https), app.Address);
        Assert.Equal(443u, app.Address.Port);

        // YARP: one route and one cluster, marked as a tunnel route, destinations per endpoint x to.
        var destinations = new TunnelDestinationTable();
        var proxy = new ProxyConfigBuilder(table, destinations);
        proxy.UpdateEndpoints(app.Id, ["e1"]);
        var yarp = proxy.Provider.GetConfig();
        var yarpRoute = yarp.Routes.Single(r => r.RouteId == app.Id);
        Assert.Equal(["app.example.com"], yarpRoute.Match.Hosts);
        Assert.Equal("true", yarpRoute.Metadata![ProxyMetadata.UsesTunnel]);
        Assert.Null(yarpRoute.Timeout);
        var cluster = yarp.Clusters.Single(c => c.ClusterId == app.Id);
        Assert.Equal(2, cluster.Destinations!.Count);
        Assert.All(cluster.Destinations.Values, d => Assert.True(TunnelDestinationTable.IsSyntheticHost(new Uri(d.Address).Host)));
        Assert.Equal(TimeSpan.FromSeconds(20), cluster.HttpRequest!.ActivityTimeout);
        Assert.True(cluster.HttpClient!.DangerousAcceptAnyServerCertificate);
        Assert.Equal("backend.internal", cluster.Metadata![ProxyMetadata.TlsServerName]);

        // Tunnel catalog: the same id, address and to list, admitted by the compiled ssh_policy.
        var catalog = new TunnelRouteCatalog(table);
        var tunnelRoute = catalog.Routes.Single(r => r.RouteId == app.Id);
        Assert.Equal(app.Address, tunnelRoute.Address);
        Assert.Equal([new Uri("http://127.0.0.1:8080"), new Uri("https://backend.internal:8443")], tunnelRoute.To);
        var alice = catalog.Admit(Identity("alice@example.com"), "alice", IPAddress.Loopback).Single(a => a.Route.RouteId == app.Id);
        Assert.True(alice.Admitted);
        var bob = catalog.Admit(Identity("bob@example.com"), "bob", IPAddress.Loopback).Single(a => a.Route.RouteId == app.Id);
        Assert.False(bob.Admitted);
        Assert.NotNull(bob.Reason);

        // Status reports (and readiness waits for) exactly the routes the catalog admits to.
        Assert.Equal(catalog.Routes.Select(r => r.RouteId), table.Tunnel.Select(r => r.Id));
    }

    [Fact]
    public void Each_route_kind_lands_in_the_projections_it_belongs_to()
    {
        var table = Compile(Hocon);
        Assert.Equal(["https-app.example.com", "https-direct.example.com", "ssh-box", "https-wildcard.wild.example.com"], table.All.Select(r => r.Id));
        Assert.Equal(["https-app.example.com", "https-direct.example.com", "https-wildcard.wild.example.com"], table.Http.Select(r => r.Id));
        Assert.Equal(["https-app.example.com", "ssh-box", "https-wildcard.wild.example.com"], table.Tunnel.Select(r => r.Id));

        var direct = table.Find("https-direct.example.com")!;
        Assert.False(direct.UsesTunnel);
        Assert.True(direct.SshPolicy.AdmitsNobody);
        Assert.False(direct.Policy.AdmitsNobody);
        Assert.Equal(TimeSpan.FromSeconds(30), direct.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(5), direct.IdleTimeout);
        Assert.Null(direct.TlsServerName);
        Assert.True(Assert.Single(direct.HttpUpstreams).IsH2c);

        var box = table.Find("ssh-box")!;
        Assert.False(box.IsHttps);
        Assert.Equal(22u, box.Address.Port);
        Assert.Empty(box.HttpUpstreams);
        Assert.Equal([new Uri("ssh://127.0.0.1:22")], box.To);

        // upstream_tunnel {} without ssh_policy takes endpoints but admits nobody (as Pomerium).
        var wild = table.Find("https-wildcard.wild.example.com")!;
        Assert.True(wild.UsesTunnel);
        Assert.True(wild.IsWildcard);
        Assert.True(wild.SshPolicy.AdmitsNobody);
        Assert.Equal(3, table.Find("https-app.example.com")!.HttpUpstreams[0].Weight);
    }

    [Fact]
    public void Runtime_flag_off_turns_tunnel_routes_into_direct_routes_with_one_warning_each()
    {
        var logger = new ListLogger();
        var table = Compile("runtime_flags { ssh_upstream_tunnel = false }\n" + Hocon, logger);
        Assert.Empty(table.Tunnel);
        Assert.Empty(new TunnelRouteCatalog(table).Routes);
        var app = table.Find("https-app.example.com")!;
        Assert.False(app.UsesTunnel);
        Assert.True(app.TunnelDisabled);
        var cluster = new ProxyConfigBuilder(table, new TunnelDestinationTable()).Provider.GetConfig().Clusters.Single(c => c.ClusterId == app.Id);
        Assert.Contains(cluster.Destinations!.Values, d => d.Address == "http://127.0.0.1:8080/");
        // Only https routes are served directly, so only they warn.
        Assert.Equal(2, logger.Lines.Count);
        Assert.All(logger.Lines, l => Assert.Contains(RouteTable.TunnelDisabledWarning, l));
    }

    [Theory]
    [InlineData("app.example.com", true)]
    [InlineData("APP.example.com", true)]
    [InlineData("a.wild.example.com", true)]
    [InlineData("wild.example.com", false)]
    [InlineData("box", false)]
    public void Route_hosts_are_the_https_routes_names(string host, bool expected)
        => Assert.Equal(expected, Compile(Hocon).IsRouteHost(host));

    [Fact]
    public void Duplicate_route_ids_are_refused()
    {
        var route = Http.Support.Routes.Public("r", "a.test", "http://x");
        var error = Assert.Throws<ArgumentException>(() => Http.Support.Routes.Table([route, route with { From = route.From with { Host = "b.test" } }]));
        Assert.Contains("'r'", error.Message);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
