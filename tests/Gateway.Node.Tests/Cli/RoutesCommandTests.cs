using System.Text.Json;
using Gateway.Contracts.Tunnels;
using Gateway.Node.SshSessions.Cli;

namespace Gateway.Node.Tests.Cli;

/// <summary>The routes alice may serve, with the state their endpoints on every node give them.</summary>
public sealed class RoutesCommandTests
{
    [Fact]
    public async Task Text_lists_admitted_routes_with_status_health_and_endpoint_count()
    {
        var f = new CliFixture();
        f.Serve("https-app.example.com", "ssh-1", EndpointHealth.Healthy, node: "akka.tcp://gateway@10.0.0.1:4053");
        f.Serve("https-app.example.com", "ssh-2", EndpointHealth.Unhealthy, node: "akka.tcp://gateway@10.0.0.2:4053");
        f.Serve("https-other.example.com", "ssh-3", EndpointHealth.Healthy); // bob's route: not listed

        var result = await f.RunAsync("routes");
        Assert.Equal(CliExitCodes.Success, result.ExitCode);
        Assert.Equal("""
            STATUS  HEALTH   ENDPOINTS  REMOTE                     LOCAL
            ACTIVE  HEALTHY  2          https://app.example.com    http://127.0.0.1:8080,http://127.0.0.1:8081
            --      --       0          https://plain.example.com  http://127.0.0.1:9090

            """, result.Stdout);
    }

    [Fact]
    public async Task Json_has_the_documented_fields()
    {
        var f = new CliFixture();
        f.Serve("https-plain.example.com", "ssh-1", EndpointHealth.Unknown);
        using var json = JsonDocument.Parse((await f.RunAsync("routes --json")).Stdout);
        var routes = json.RootElement.GetProperty("routes").EnumerateArray().ToList();
        Assert.Equal(["https-app.example.com", "https-plain.example.com"], routes.Select(r => r.GetProperty("id").GetString()));
        var app = routes[0];
        Assert.Equal("https://app.example.com", app.GetProperty("from").GetString());
        Assert.Equal(["http://127.0.0.1:8080", "http://127.0.0.1:8081"], app.GetProperty("to").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("NONE", app.GetProperty("status").GetString());
        Assert.Equal("NONE", app.GetProperty("health").GetString());
        Assert.True(app.GetProperty("health_checks").GetBoolean());
        Assert.Equal(0, app.GetProperty("endpoints").GetProperty("total").GetInt32());
        var plain = routes[1];
        Assert.Equal("ACTIVE", plain.GetProperty("status").GetString());
        Assert.Equal("UNKNOWN", plain.GetProperty("health").GetString());
        Assert.False(plain.GetProperty("health_checks").GetBoolean());
        var counts = plain.GetProperty("endpoints");
        Assert.Equal([1, 0, 0, 0, 1], new[] { "total", "healthy", "degraded", "unhealthy", "unknown" }.Select(n => counts.GetProperty(n).GetInt32()));
    }

    [Fact]
    public async Task An_identity_no_route_admits_is_told_so()
    {
        var f = new CliFixture();
        var view = new ClusterRouteView(f.Endpoints);
        Assert.Equal("no tunnel route's ssh_policy admits alice@example.com\n", RoutesCommand.Render(view.Read(f.Admissions.Where(a => !a.Admitted)), "alice@example.com"));
        using var json = JsonDocument.Parse((await f.RunAsync("routes --json")).Stdout);
        Assert.Equal(2, json.RootElement.GetProperty("routes").GetArrayLength());
    }

    [Theory]
    [InlineData(true, new EndpointHealth[0], "NONE", "NONE")]
    [InlineData(true, new[] { EndpointHealth.Unknown }, "ACTIVE", "UNKNOWN")]
    [InlineData(false, new[] { EndpointHealth.Unknown, EndpointHealth.Unknown }, "ACTIVE", "UNKNOWN")]
    [InlineData(true, new[] { EndpointHealth.Unhealthy, EndpointHealth.Degraded }, "ACTIVE", "DEGRADED")]
    [InlineData(true, new[] { EndpointHealth.Unhealthy, EndpointHealth.Unknown }, "ACTIVE", "UNKNOWN")]
    [InlineData(true, new[] { EndpointHealth.Unhealthy, EndpointHealth.Unhealthy }, "INACTIVE", "UNHEALTHY")]
    [InlineData(true, new[] { EndpointHealth.Unhealthy, EndpointHealth.Healthy }, "ACTIVE", "HEALTHY")]
    public void Route_state_comes_from_every_endpoint(bool checks, EndpointHealth[] endpoints, string status, string health)
    {
        var list = endpoints.Select((h, i) => new TunnelEndpoint($"s{i}/r", "r", "n", $"s{i}", "o", "c", true, "localhost", 40000, DateTimeOffset.UnixEpoch, h)).ToList();
        var state = RouteState.Of(list, checks);
        Assert.Equal((status, health), (state.Status, state.Health));
        Assert.Equal(endpoints.Length, state.Endpoints.Total);
    }
}
