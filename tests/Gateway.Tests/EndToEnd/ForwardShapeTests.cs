using Gateway.Testing;

namespace Gateway.Gateway.Tests.EndToEnd;

/// <summary>
/// The documentation's other <c>-R</c> forms against one node: a glob dynamic forward
/// (<c>-R 'https-*:0'</c>), a static forward to a fixed local port, and a static forward removed
/// again with <c>ssh -O cancel</c> through a master connection.
/// </summary>
public sealed class ForwardShapeTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private NamedUpstream _glob = null!;
    private NamedUpstream _plain = null!;
    private NamedUpstream _local = null!;
    private TunnelClient _alice = null!;
    private GatewayNode _node = null!;

    public async Task InitializeAsync()
    {
        _glob = await NamedUpstream.StartAsync("glob-app");
        _plain = await NamedUpstream.StartAsync("plain-app");
        _local = await NamedUpstream.StartAsync("local-app");
        _alice = await TunnelClient.CreateAsync(_dir, "alice");
        // The static routes' `to` is a port nothing listens on: a static forward's client decides
        // where connections go, so a 200 from "local-app" proves the client's address was used.
        _node = await GatewayNode.StartAsync(_dir, $$"""
            users = [ { email = "alice@example.com", ssh_keys = ["{{_alice.PublicKey}}"] } ]
            routes = [
              {{Route("https-glob.example.com", _glob.Url)}}
              {{Route("plain.example.com", _plain.Url)}}
              {{Route("https-route.example.com", "http://127.0.0.1:9")}}
              {{Route("https-cancel.example.com", "http://127.0.0.1:9")}}
            ]
            """);
    }

    private static string Route(string host, string to) => $$"""
        {
          from = "https://{{host}}"
          to = "{{to}}"
          allow_public_unauthenticated_access = true
          upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
        }
        """;

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _glob.DisposeAsync();
        await _plain.DisposeAsync();
        await _local.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Glob_dynamic_forward_serves_matching_routes_only()
    {
        await using var ssh = _alice.Connect(_node, ["-N", "-v", "-R", "https-*:0"]);
        var port = await TunnelClient.WaitForForwardAsync(ssh, Timeout);
        Assert.NotNull(port);

        var served = await Curl.WaitForStatusAsync(_node, "https-glob.example.com", s => s != 503, Timeout, "/g");
        Assert.Equal(200, served.Status);
        Assert.Equal($"glob-app host=https-glob.example.com:{_node.HttpsPort} path=/g", served.Body);

        var (body, status) = Curl.Parse(await Curl.GetAsync(_node, "plain.example.com"));
        Assert.Equal(503, status);
        Assert.Contains("plain.example.com", body);
        Assert.Equal(0, _plain.Requests);
    }

    [Fact]
    public async Task Static_forward_gets_success_without_a_port_and_reaches_the_clients_local_address()
    {
        await Curl.WaitForStatusAsync(_node, "https-route.example.com", s => s == 503, Timeout);
        var before = _local.Requests;
        await using var ssh = _alice.Connect(_node, ["-N", "-v", "-R", $"https-route.example.com:443:127.0.0.1:{_local.Port}"]);
        var port = await TunnelClient.WaitForForwardAsync(ssh, Timeout);
        Assert.Contains("remote forward success", ssh.Stderr);
        Assert.Null(port); // no "Allocated port": the reply carried no port, as RFC 4254 says for a non-zero request
        Assert.DoesNotContain("remote port forwarding failed", ssh.Stderr);

        var reply = await Curl.WaitForStatusAsync(_node, "https-route.example.com", s => s != 503, Timeout, "/static");
        Assert.Equal(200, reply.Status);
        Assert.Equal($"local-app host=https-route.example.com:{_node.HttpsPort} path=/static", reply.Body);
        Assert.True(_local.Requests > before);
    }

    [Fact]
    public async Task Cancel_through_the_master_connection_returns_the_route_to_503()
    {
        await Curl.WaitForStatusAsync(_node, "https-cancel.example.com", s => s == 503, Timeout);
        var control = Path.Combine(_dir.Path, "ctl");
        var forward = $"https-cancel.example.com:443:127.0.0.1:{_local.Port}";
        await using var master = _alice.Connect(_node, ["-M", "-S", control, "-N", "-v", "-R", forward]);
        await TunnelClient.WaitForForwardAsync(master, Timeout);
        Assert.Contains("remote forward success", master.Stderr);
        var served = await Curl.WaitForStatusAsync(_node, "https-cancel.example.com", s => s != 503, Timeout);
        Assert.Equal(200, served.Status);

        var cancel = await _alice.RunAsync(_node, ["-S", control, "-O", "cancel", "-R", forward], Timeout);
        Assert.True(cancel.ExitCode == 0, $"ssh -O cancel failed: {cancel.Stderr}");

        var after = await Curl.WaitForStatusAsync(_node, "https-cancel.example.com", s => s == 503, Timeout);
        Assert.Equal(503, after.Status);
        Assert.False(master.HasExited, "the master connection stays up after the cancel");
        Assert.True(await _node.WaitForLogAsync("forward \"https-cancel.example.com\" port 443 cancelled", Timeout));
    }
}
