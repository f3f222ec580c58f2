using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// The documentation's first scenario, with real programs: a node process, OpenSSH's
/// <c>ssh -N -R 0</c> as the tunnel client, a local web server only the client reaches, and curl.
/// </summary>
public sealed class DynamicTunnelTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private NamedUpstream _upstream = null!;
    private TunnelClient _alice = null!;
    private GatewayNodeProcess _node = null!;

    public async Task InitializeAsync()
    {
        _upstream = await NamedUpstream.StartAsync("laptop-app");
        _alice = await TunnelClient.CreateAsync(_dir, "alice");
        _node = await GatewayNodeProcess.StartAsync(_dir, $$"""
            users = [ { email = "alice@example.com", ssh_keys = ["{{_alice.PublicKey}}"] } ]
            routes = [
              {
                from = "https://https-demo.example.com"
                to = "{{_upstream.Url}}"
                allow_public_unauthenticated_access = true
                upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
              }
            ]
            """);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task No_tunnel_gives_503_naming_the_route_then_ssh_R_0_serves_it()
    {
        var (body, status) = Curl.Parse(await Curl.GetAsync(_node, "https-demo.example.com"));
        Assert.Equal(503, status);
        Assert.Contains("https-demo.example.com", body);

        await using var ssh = _alice.Connect(_node, ["-N", "-v", "-R", "0"]);
        var port = await TunnelClient.WaitForForwardAsync(ssh, Timeout);
        Assert.NotNull(port);
        Assert.InRange(port!.Value, 32768u, 65535u);

        var deadline = DateTime.UtcNow + Timeout;
        (string Body, int Status) reply;
        do reply = Curl.Parse(await Curl.GetAsync(_node, "https-demo.example.com", "/hello"));
        while (reply.Status == 503 && DateTime.UtcNow < deadline);
        Assert.Equal(200, reply.Status);
        Assert.Equal($"laptop-app host=https-demo.example.com:{_node.HttpsPort} path=/hello", reply.Body);
    }
}
