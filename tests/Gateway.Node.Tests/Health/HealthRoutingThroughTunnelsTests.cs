using System.Diagnostics;
using System.Globalization;
using Gateway.Node.Tests.Cluster;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Support;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Health;

/// <summary>
/// Two real OpenSSH clients serve one route through static forwards, each in front of its own
/// local service; the health checks run through each tunnel. When one client's service fails its
/// checks, no request goes to it; when both fail, the panic threshold decides (Envoy's 50%: spread
/// over both; 0: 503 at once). Once on one node, once with the clients on two nodes and the load
/// sent to a third.
/// </summary>
public sealed class HealthRoutingThroughTunnelsTests : IAsyncLifetime
{
    private const string Host = "https-hr.example.com";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly ITestOutputHelper _output;
    private NamedUpstream _one = null!;
    private NamedUpstream _two = null!;
    private TunnelClient _alice = null!;

    public HealthRoutingThroughTunnelsTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _one = await NamedUpstream.StartAsync("app-1");
        _two = await NamedUpstream.StartAsync("app-2");
        _alice = await TunnelClient.CreateAsync(_dir, "alice");
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        await _one.DisposeAsync();
        await _two.DisposeAsync();
        _dir.Dispose();
    }

    private string Config(int panicThreshold, bool healthChecks = true) => $$"""
        users = [ { email = "alice@example.com", ssh_keys = ["{{_alice.PublicKey}}"] } ]
        ssh_per_source_max_startups = 50
        routes = [
          {
            from = "https://{{Host}}"
            to = "http://127.0.0.1:{{_one.Port}}"
            allow_public_unauthenticated_access = true
            upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
            healthy_panic_threshold = {{panicThreshold}}
            {{(healthChecks ? Checks : "")}}
          }
        ]
        """;

    private const string Checks = """
        health_checks = [{
              http_health_check = { path = "/health", retriable_statuses = [{ start = 500, end = 501 }] }
              timeout = 1s
              interval = 200ms
              no_traffic_interval = 200ms
              unhealthy_threshold = 2
              healthy_threshold = 1
            }]
        """;

    /// <summary>One node with the route and a status listener (for <c>/status</c>).</summary>
    private async Task<GatewayNodeProcess> StartNodeAsync(string config)
    {
        var statusPort = LoopbackPorts.Reserve();
        var node = GatewayNodeProcess.Create(_dir, config + $"\ncluster {{ status_address = \"127.0.0.1:{statusPort}\" }}\n", statusPort: statusPort);
        _owned.Add(node);
        await node.StartAsync(Timeout);
        return node;
    }

    /// <summary>A static forward of the route to one local service: its health checks reach that service only.</summary>
    private async Task<ExternalProcess> ServeAsync(GatewayNodeProcess node, NamedUpstream local)
    {
        var ssh = _alice.Connect(node, ["-N", "-v", "-R", $"{Host}:443:127.0.0.1:{local.Port}"]);
        _owned.Add(ssh);
        await TunnelClient.WaitForForwardAsync(ssh, Timeout);
        return ssh;
    }

    /// <summary>Sends <paramref name="count"/> GETs; returns how many each local service answered, and the other answers.</summary>
    private static async Task<Dictionary<string, int>> SpreadAsync(HttpClient client, int count)
    {
        var seen = new Dictionary<string, int>();
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync("/load");
            var body = await response.Content.ReadAsStringAsync();
            var key = response.IsSuccessStatusCode ? body.Split(' ')[0] : $"{(int)response.StatusCode}";
            seen[key] = seen.GetValueOrDefault(key) + 1;
        }
        return seen;
    }

    /// <summary>
    /// The proxy applies endpoint changes in batches (about 50 ms after the table changed): from
    /// the moment /status shows the new health, requests until <paramref name="expected"/> answers
    /// 10 in a row (bounded), and reports how long that took.
    /// </summary>
    private async Task SettleAsync(HttpClient client, string expected)
    {
        var clock = Stopwatch.StartNew();
        var inARow = 0;
        while (inARow < 10)
        {
            Assert.True(clock.Elapsed < Timeout, $"requests never settled on {expected}");
            var body = await client.GetStringAsync("/load");
            inARow = body.StartsWith(expected + " ", StringComparison.Ordinal) ? inARow + 1 : 0;
        }
        _output.WriteLine($"settled on {expected} {clock.ElapsedMilliseconds} ms after /status showed the change");
    }

    /// <summary>Requests until <paramref name="expected"/> answers once (bounded): the proxy's view has taken an endpoint back.</summary>
    private static async Task UntilSeenAsync(HttpClient client, string expected)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!(await client.GetStringAsync("/load")).StartsWith(expected + " ", StringComparison.Ordinal))
            Assert.True(DateTime.UtcNow < deadline, $"{expected} never answered");
    }

    private static string Show(Dictionary<string, int> seen) => string.Join(", ", seen.Select(kv => $"{kv.Key} {kv.Value}"));

    /// <summary>Polls /status until the route lists <paramref name="expected"/> endpoints in <paramref name="health"/>.</summary>
    private static async Task WaitForHealthAsync(GatewayNodeProcess node, string health, int expected)
    {
        var (ok, json) = await node.WaitForStatusAsync(s => s.GetProperty("routes").EnumerateArray()
            .SelectMany(r => r.GetProperty("endpoints").EnumerateArray())
            .Count(e => e.GetProperty("health").GetString() == health) == expected, Timeout);
        Assert.True(ok, $"{node} must list {expected} {health} endpoint(s): {json}");
    }

    [Fact]
    public async Task On_one_node_an_endpoint_failing_its_checks_gets_no_request_and_all_failing_spreads_as_envoy_panics()
    {
        var node = await StartNodeAsync(Config(50));
        await ServeAsync(node, _one);
        await ServeAsync(node, _two);
        await WaitForHealthAsync(node, "HEALTHY", 2);
        using var client = ClusterHarness.ClientFor(node);
        client.BaseAddress = new Uri($"https://{Host}:{node.HttpsPort.ToString(CultureInfo.InvariantCulture)}");
        await UntilSeenAsync(client, "app-1");
        await UntilSeenAsync(client, "app-2");
        var both = await SpreadAsync(client, 20);
        Assert.True(both.GetValueOrDefault("app-1") > 0 && both.GetValueOrDefault("app-2") > 0, "both clients serve while healthy: " + Show(both));

        _two.HealthStatus = 500;
        await WaitForHealthAsync(node, "UNHEALTHY", 1);
        await SettleAsync(client, "app-1");
        var oneLeft = await SpreadAsync(client, 30);
        _output.WriteLine("app-2 unhealthy: " + Show(oneLeft));
        Assert.Equal(30, oneLeft.GetValueOrDefault("app-1"));

        // Both failing: 0% passing is below the 50% panic threshold, so Envoy spreads over all.
        _one.HealthStatus = 500;
        await WaitForHealthAsync(node, "UNHEALTHY", 2);
        await UntilSeenAsync(client, "app-2");
        var panic = await SpreadAsync(client, 20);
        _output.WriteLine("both unhealthy, panic: " + Show(panic));
        Assert.True(panic.GetValueOrDefault("app-1") > 0 && panic.GetValueOrDefault("app-2") > 0, "in panic both serve: " + Show(panic));

        _one.HealthStatus = 200;
        _two.HealthStatus = 200;
        await WaitForHealthAsync(node, "HEALTHY", 2);
    }

    [Fact]
    public async Task With_a_panic_threshold_of_zero_a_route_whose_endpoints_all_fail_answers_503_at_once()
    {
        var node = await StartNodeAsync(Config(0));
        await ServeAsync(node, _one);
        await WaitForHealthAsync(node, "HEALTHY", 1);
        using var client = ClusterHarness.ClientFor(node);
        client.BaseAddress = new Uri($"https://{Host}:{node.HttpsPort.ToString(CultureInfo.InvariantCulture)}");
        Assert.Equal("app-1", (await client.GetStringAsync("/load")).Split(' ')[0]);

        _one.HealthStatus = 500;
        await WaitForHealthAsync(node, "UNHEALTHY", 1);
        // The proxy's view follows the table within tens of milliseconds: wait for the first 503.
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            using var first = await client.GetAsync("/load");
            if ((int)first.StatusCode == 503) break;
            Assert.True(DateTime.UtcNow < deadline, "the route never answered 503");
        }
        var times = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync("/load");
            times.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal(503, (int)response.StatusCode);
            Assert.Contains("failing health checks", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        times.Sort();
        _output.WriteLine($"503 times: median {times[times.Count / 2]:0.0} ms, max {times[^1]:0.0} ms");
        Assert.True(times[times.Count / 2] < 50, $"the median 503 took {times[times.Count / 2]:0.0} ms");

        _one.HealthStatus = 200;
        await WaitForHealthAsync(node, "HEALTHY", 1);
        await UntilServedAsync(client, "app-1");
    }

    /// <summary>Requests until <paramref name="expected"/> answers 200 (bounded): failing answers meanwhile are the proxy catching up.</summary>
    private static async Task UntilServedAsync(HttpClient client, string expected)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            using var response = await client.GetAsync("/load");
            if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).StartsWith(expected + " ", StringComparison.Ordinal)) return;
            Assert.True(DateTime.UtcNow < deadline, $"{expected} never answered");
        }
    }

    [Fact]
    public async Task With_the_clients_on_two_nodes_the_third_node_sends_nothing_to_the_failing_one()
    {
        var routes = Config(50);
        var a = await ClusterHarness.StartNodeAsync(_dir, routes);
        _owned.Add(a.Node);
        var b = await ClusterHarness.StartNodeAsync(_dir, routes, a.ClusterPort);
        _owned.Add(b.Node);
        var c = await ClusterHarness.StartNodeAsync(_dir, routes, a.ClusterPort);
        _owned.Add(c.Node);
        foreach (var member in new[] { a, b, c })
            Assert.True((await member.WaitForStatusAsync(s => ClusterHarness.Member.UpMembers(s) == 3, Timeout)).Ok);
        await ServeAsync(a.Node, _one);
        await ServeAsync(b.Node, _two);
        // Health is computed on A and B and travels with the endpoints: C sees both HEALTHY.
        await WaitForHealthAsync(c.Node, "HEALTHY", 2);
        using var client = ClusterHarness.ClientFor(c.Node);
        client.BaseAddress = new Uri($"https://{Host}:{c.Node.HttpsPort.ToString(CultureInfo.InvariantCulture)}");
        await UntilSeenAsync(client, "app-1");
        await UntilSeenAsync(client, "app-2");
        var both = await SpreadAsync(client, 20);
        Assert.True(both.GetValueOrDefault("app-1") > 0 && both.GetValueOrDefault("app-2") > 0, "both nodes' clients serve through C: " + Show(both));

        _two.HealthStatus = 500;
        await WaitForHealthAsync(c.Node, "UNHEALTHY", 1);
        await SettleAsync(client, "app-1");
        var oneLeft = await SpreadAsync(client, 30);
        _output.WriteLine("app-2 (on B) unhealthy, load through C: " + Show(oneLeft));
        Assert.Equal(30, oneLeft.GetValueOrDefault("app-1"));

        _two.HealthStatus = 200;
        await WaitForHealthAsync(c.Node, "HEALTHY", 2);
        await UntilSeenAsync(client, "app-2");
    }

    [Fact]
    public async Task A_degraded_endpoint_takes_requests_only_when_no_healthy_one_is_left()
    {
        var node = await StartNodeAsync(Config(50));
        _two.Degraded = true;
        await ServeAsync(node, _one);
        await ServeAsync(node, _two);
        await WaitForHealthAsync(node, "HEALTHY", 1);
        await WaitForHealthAsync(node, "DEGRADED", 1);
        using var client = ClusterHarness.ClientFor(node);
        client.BaseAddress = new Uri($"https://{Host}:{node.HttpsPort.ToString(CultureInfo.InvariantCulture)}");
        var healthyFirst = await SpreadAsync(client, 30);
        _output.WriteLine("app-2 degraded: " + Show(healthyFirst));
        Assert.Equal(30, healthyFirst.GetValueOrDefault("app-1"));

        // The healthy one fails: 1 of 2 still passes (degraded counts as available, 50% is not
        // below the threshold), so no panic, and the degraded endpoint takes everything.
        _one.HealthStatus = 500;
        await WaitForHealthAsync(node, "UNHEALTHY", 1);
        await SettleAsync(client, "app-2");
        var degradedOnly = await SpreadAsync(client, 30);
        _output.WriteLine("app-1 unhealthy, app-2 degraded: " + Show(degradedOnly));
        Assert.Equal(30, degradedOnly.GetValueOrDefault("app-2"));
    }

    [Fact]
    public async Task Without_health_checks_a_tunnel_whose_local_service_refuses_is_ejected_after_five_failures()
    {
        var node = await StartNodeAsync(Config(50, healthChecks: false));
        await ServeAsync(node, _one);
        // The second client forwards to a port where nothing listens: every channel to it is
        // refused by the client (connect failed), as when its local service is down.
        var closed = LoopbackPorts.Reserve();
        var ssh = _alice.Connect(node, ["-N", "-v", "-R", $"{Host}:443:127.0.0.1:{closed}"]);
        _owned.Add(ssh);
        await TunnelClient.WaitForForwardAsync(ssh, Timeout);
        var (two, json) = await node.WaitForStatusAsync(s => s.GetProperty("routes").EnumerateArray().Sum(r => r.GetProperty("endpoints").GetArrayLength()) == 2, Timeout);
        Assert.True(two, json);
        using var client = ClusterHarness.ClientFor(node);
        client.BaseAddress = new Uri($"https://{Host}:{node.HttpsPort.ToString(CultureInfo.InvariantCulture)}");

        // Every request succeeds (a refused channel is tried on the other endpoint), and after five
        // refusals in a row the refusing endpoint is left out for the ejection period.
        var spread = await SpreadAsync(client, 40);
        _output.WriteLine("one client refusing: " + Show(spread));
        Assert.Equal(40, spread.GetValueOrDefault("app-1"));
        var (ejected, status) = await node.WaitForStatusAsync(s => s.GetProperty("routes").EnumerateArray()
            .SelectMany(r => r.GetProperty("endpoints").EnumerateArray())
            .Count(e => e.GetProperty("passively_ejected").GetBoolean()) == 1, Timeout);
        Assert.True(ejected, "the refusing endpoint must be ejected: " + status);
        var refusals = System.Text.RegularExpressions.Regex.Matches(ssh.Stderr, "connect_to 127.0.0.1 port " + closed.ToString(CultureInfo.InvariantCulture) + ": failed").Count;
        var after = await SpreadAsync(client, 20);
        var refusalsAfter = System.Text.RegularExpressions.Regex.Matches(ssh.Stderr, "connect_to 127.0.0.1 port " + closed.ToString(CultureInfo.InvariantCulture) + ": failed").Count;
        _output.WriteLine($"channels refused by the client: {refusals} before the ejection was seen, {refusalsAfter - refusals} during the next 20 requests");
        Assert.Equal(20, after.GetValueOrDefault("app-1"));
        Assert.Equal(refusals, refusalsAfter);
    }
}
