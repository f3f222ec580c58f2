using Gateway.Testing;

namespace Gateway.Gateway.Tests.EndToEnd;

/// <summary>
/// Load balancing over tunnels: a route with two <c>to</c> URLs served by one dynamic client
/// (the gateway asks the client's SOCKS server for each in turn), and one route served by two
/// SSH clients with static forwards to different local servers.
/// </summary>
public sealed class LoadBalancingTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private NamedUpstream _one = null!;
    private NamedUpstream _two = null!;
    private NamedUpstream _aliceLocal = null!;
    private NamedUpstream _bobLocal = null!;
    private TunnelClient _alice = null!;
    private TunnelClient _bob = null!;
    private GatewayNode _node = null!;

    public async Task InitializeAsync()
    {
        _one = await NamedUpstream.StartAsync("one");
        _two = await NamedUpstream.StartAsync("two");
        _aliceLocal = await NamedUpstream.StartAsync("alice-laptop");
        _bobLocal = await NamedUpstream.StartAsync("bob-laptop");
        _alice = await TunnelClient.CreateAsync(_dir, "alice");
        _bob = await TunnelClient.CreateAsync(_dir, "bob");
        _node = await GatewayNode.StartAsync(_dir, $$"""
            users = [
              { email = "alice@example.com", ssh_keys = ["{{_alice.PublicKey}}"] }
              { email = "bob@example.com", ssh_keys = ["{{_bob.PublicKey}}"] }
            ]
            routes = [
              {
                from = "https://https-lb.example.com"
                to = ["{{_one.Url}}", "{{_two.Url}}"]
                allow_public_unauthenticated_access = true
                upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
              }
              {
                from = "https://https-pair.example.com"
                to = "http://127.0.0.1:9"
                allow_public_unauthenticated_access = true
                upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }, { email { is = "bob@example.com" } }] } } }
              }
            ]
            """);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        foreach (var upstream in new[] { _one, _two, _aliceLocal, _bobLocal }) await upstream.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Two_to_urls_alternate_request_by_request_over_one_dynamic_tunnel()
    {
        await using var ssh = _alice.Connect(_node, ["-N", "-v", "-R", "https-lb.example.com:0"]);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        var first = await Curl.WaitForStatusAsync(_node, "https-lb.example.com", s => s != 503, Timeout);
        Assert.Equal(200, first.Status);

        // Each curl is a new downstream connection. The node's round robin (YARP RoundRobin over
        // one destination per endpoint x `to`) picks per request, and each destination has its own
        // upstream connection pool, so consecutive requests name different `to` addresses: the
        // documented "alternating which destination host:port is requested".
        var names = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (body, status) = Curl.Parse(await Curl.GetAsync(_node, "https-lb.example.com", $"/{i}"));
            Assert.Equal(200, status);
            names.Add(body.Split(' ')[0]);
        }
        Assert.Equal(5, names.Count(n => n == "one"));
        Assert.Equal(5, names.Count(n => n == "two"));
        for (var i = 1; i < names.Count; i++)
            Assert.NotEqual(names[i - 1], names[i]);
    }

    [Fact]
    public async Task Two_ssh_clients_on_one_route_both_receive_traffic()
    {
        await Curl.WaitForStatusAsync(_node, "https-pair.example.com", s => s == 503, Timeout);
        await using var alice = _alice.Connect(_node, ["-N", "-v", "-R", $"https-pair.example.com:443:127.0.0.1:{_aliceLocal.Port}"]);
        await using var bob = _bob.Connect(_node, ["-N", "-v", "-R", $"https-pair.example.com:443:127.0.0.1:{_bobLocal.Port}"]);
        await TunnelClient.WaitForForwardAsync(alice, Timeout);
        await TunnelClient.WaitForForwardAsync(bob, Timeout);
        Assert.Contains("remote forward success", alice.Stderr);
        Assert.Contains("remote forward success", bob.Stderr);

        // Both endpoints reach the proxy's destination list shortly after the replies; until then
        // one client may take everything, hence a bounded number of requests rather than exactly 10.
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + Timeout;
        for (var i = 0; i < 60 && DateTime.UtcNow < deadline && seen.Count < 2; i++)
        {
            var (body, status) = Curl.Parse(await Curl.GetAsync(_node, "https-pair.example.com", $"/{i}"));
            if (status != 200) continue;
            var name = body.Split(' ')[0];
            seen[name] = seen.GetValueOrDefault(name) + 1;
        }
        Assert.True(seen.GetValueOrDefault("alice-laptop") > 0, $"alice's client got nothing: {string.Join(", ", seen)}");
        Assert.True(seen.GetValueOrDefault("bob-laptop") > 0, $"bob's client got nothing: {string.Join(", ", seen)}");
    }
}
