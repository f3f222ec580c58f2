using System.Text.RegularExpressions;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// Load balancing over tunnels: a route with two <c>to</c> URLs served by one dynamic client
/// (the gateway asks the client's SOCKS server for each in turn), and one route served by two
/// SSH clients with static forwards to different local servers.
/// </summary>
public sealed class LoadBalancingTests : IClassFixture<LoadBalancingTests.Fixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Fixture _f;

    public LoadBalancingTests(Fixture fixture) => _f = fixture;

    /// <summary>One node (and its upstreams and users) for the whole class; the tests run one after another.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public TempDirectory Dir { get; } = new();
        public NamedUpstream One { get; private set; } = null!;
        public NamedUpstream Two { get; private set; } = null!;
        public NamedUpstream AliceLocal { get; private set; } = null!;
        public NamedUpstream BobLocal { get; private set; } = null!;
        public TunnelClient Alice { get; private set; } = null!;
        public TunnelClient Bob { get; private set; } = null!;
        public GatewayNodeProcess Node { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            One = await NamedUpstream.StartAsync("one");
            Two = await NamedUpstream.StartAsync("two");
            AliceLocal = await NamedUpstream.StartAsync("alice-laptop");
            BobLocal = await NamedUpstream.StartAsync("bob-laptop");
            Alice = await TunnelClient.CreateAsync(Dir, "alice");
            Bob = await TunnelClient.CreateAsync(Dir, "bob");
            Node = await GatewayNodeProcess.StartAsync(Dir, $$"""
                users = [
                  { email = "alice@example.com", ssh_keys = ["{{Alice.PublicKey}}"] }
                  { email = "bob@example.com", ssh_keys = ["{{Bob.PublicKey}}"] }
                ]
                routes = [
                  {
                    from = "https://https-lb.example.com"
                    to = ["{{One.Url}}", "{{Two.Url}}"]
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
            await Node.DisposeAsync();
            foreach (var upstream in new[] { One, Two, AliceLocal, BobLocal }) await upstream.DisposeAsync();
            Dir.Dispose();
        }
    }

    [Fact]
    public async Task Two_to_urls_alternate_request_by_request_over_one_dynamic_tunnel()
    {
        await Curl.WaitForStatusAsync(_f.Node, "https-lb.example.com", s => s == 503, Timeout);
        await using var ssh = _f.Alice.Connect(_f.Node, ["-N", "-v", "-R", "https-lb.example.com:0"]);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        var first = await Curl.WaitForStatusAsync(_f.Node, "https-lb.example.com", s => s != 503, Timeout);
        Assert.Equal(200, first.Status);

        // Each curl is a new downstream connection. The node's round robin (YARP RoundRobin over
        // one destination per endpoint x `to`) picks per request, and each destination has its own
        // upstream connection pool, so consecutive requests name different `to` addresses: the
        // documented "alternating which destination host:port is requested".
        var names = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (body, status) = Curl.Parse(await Curl.GetAsync(_f.Node, "https-lb.example.com", $"/{i}"));
            Assert.Equal(200, status);
            names.Add(body.Split(' ')[0]);
        }
        Assert.Equal(5, names.Count(n => n == "one"));
        Assert.Equal(5, names.Count(n => n == "two"));
        for (var i = 1; i < names.Count; i++)
            Assert.NotEqual(names[i - 1], names[i]);

        // What does not alternate is the tunnel channel: each destination keeps its pooled upstream
        // connection (keep-alive through the tunnel), so 11 requests open about one channel per `to`.
        var opened = Regex.Count(_f.Node.Log, @"to https-lb\.example\.com opened");
        Assert.InRange(opened, 2, 4);
    }

    [Fact]
    public async Task Two_ssh_clients_on_one_route_both_receive_traffic()
    {
        await Curl.WaitForStatusAsync(_f.Node, "https-pair.example.com", s => s == 503, Timeout);
        await using var alice = _f.Alice.Connect(_f.Node, ["-N", "-v", "-R", $"https-pair.example.com:443:127.0.0.1:{_f.AliceLocal.Port}"]);
        await using var bob = _f.Bob.Connect(_f.Node, ["-N", "-v", "-R", $"https-pair.example.com:443:127.0.0.1:{_f.BobLocal.Port}"]);
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
            var (body, status) = Curl.Parse(await Curl.GetAsync(_f.Node, "https-pair.example.com", $"/{i}"));
            if (status != 200) continue;
            var name = body.Split(' ')[0];
            seen[name] = seen.GetValueOrDefault(name) + 1;
        }
        Assert.True(seen.GetValueOrDefault("alice-laptop") > 0, $"alice's client got nothing: {string.Join(", ", seen)}");
        Assert.True(seen.GetValueOrDefault("bob-laptop") > 0, $"bob's client got nothing: {string.Join(", ", seen)}");
    }
}
