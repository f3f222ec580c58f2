using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// The documentation's other <c>-R</c> forms against one node: a glob dynamic forward
/// (<c>-R 'https-*:0'</c>), a static forward to a fixed local port, and a static forward removed
/// again with <c>ssh -O cancel</c> through a master connection.
/// </summary>
public sealed class ForwardShapeTests : IClassFixture<ForwardShapeTests.Fixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Fixture _f;

    public ForwardShapeTests(Fixture fixture) => _f = fixture;

    /// <summary>One node (and its upstreams and users) for the whole class; the tests run one after another.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public TempDirectory Dir { get; } = new();
        public NamedUpstream Glob { get; private set; } = null!;
        public NamedUpstream Plain { get; private set; } = null!;
        public NamedUpstream Local { get; private set; } = null!;
        public TunnelClient Alice { get; private set; } = null!;
        public GatewayNodeProcess Node { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Glob = await NamedUpstream.StartAsync("glob-app");
            Plain = await NamedUpstream.StartAsync("plain-app");
            Local = await NamedUpstream.StartAsync("local-app");
            Alice = await TunnelClient.CreateAsync(Dir, "alice");
            // The static routes' `to` is a port nothing listens on: a static forward's client decides
            // where connections go, so a 200 from "local-app" proves the client's address was used.
            Node = await GatewayNodeProcess.StartAsync(Dir, $$"""
                users = [ { email = "alice@example.com", ssh_keys = ["{{Alice.PublicKey}}"] } ]
                routes = [
                  {{Route("https-glob.example.com", Glob.Url)}}
                  {{Route("plain.example.com", Plain.Url)}}
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
            await Node.DisposeAsync();
            await Glob.DisposeAsync();
            await Plain.DisposeAsync();
            await Local.DisposeAsync();
            Dir.Dispose();
        }
    }

    [Fact]
    public async Task Glob_dynamic_forward_serves_matching_routes_only()
    {
        await using var ssh = _f.Alice.Connect(_f.Node, ["-N", "-v", "-R", "https-*:0"]);
        var port = await TunnelClient.WaitForForwardAsync(ssh, Timeout);
        Assert.NotNull(port);

        var served = await Curl.WaitForStatusAsync(_f.Node, "https-glob.example.com", s => s != 503, Timeout, "/g");
        Assert.Equal(200, served.Status);
        Assert.Equal($"glob-app host=https-glob.example.com:{_f.Node.HttpsPort} path=/g", served.Body);

        var (body, status) = Curl.Parse(await Curl.GetAsync(_f.Node, "plain.example.com"));
        Assert.Equal(503, status);
        Assert.Contains("plain.example.com", body);
        Assert.Equal(0, _f.Plain.Requests);
    }

    [Fact]
    public async Task Static_forward_gets_success_without_a_port_and_reaches_the_clients_local_address()
    {
        await Curl.WaitForStatusAsync(_f.Node, "https-route.example.com", s => s == 503, Timeout);
        var before = _f.Local.Requests;
        await using var ssh = _f.Alice.Connect(_f.Node, ["-N", "-v", "-R", $"https-route.example.com:443:127.0.0.1:{_f.Local.Port}"]);
        var port = await TunnelClient.WaitForForwardAsync(ssh, Timeout);
        Assert.Contains("remote forward success", ssh.Stderr);
        Assert.Null(port); // a fixed-port request: OpenSSH reports no allocated port (the reply's payload is checked by the SSH library's own tests)
        Assert.DoesNotContain("remote port forwarding failed", ssh.Stderr);

        var reply = await Curl.WaitForStatusAsync(_f.Node, "https-route.example.com", s => s != 503, Timeout, "/static");
        Assert.Equal(200, reply.Status);
        Assert.Equal($"local-app host=https-route.example.com:{_f.Node.HttpsPort} path=/static", reply.Body);
        Assert.True(_f.Local.Requests > before);
    }

    [Fact]
    public async Task Cancel_through_the_master_connection_returns_the_route_to_503()
    {
        await Curl.WaitForStatusAsync(_f.Node, "https-cancel.example.com", s => s == 503, Timeout);
        var control = Path.Combine(_f.Dir.Path, "ctl");
        var forward = $"https-cancel.example.com:443:127.0.0.1:{_f.Local.Port}";
        await using var master = _f.Alice.Connect(_f.Node, ["-M", "-S", control, "-N", "-v", "-R", forward]);
        await TunnelClient.WaitForForwardAsync(master, Timeout);
        Assert.Contains("remote forward success", master.Stderr);
        var served = await Curl.WaitForStatusAsync(_f.Node, "https-cancel.example.com", s => s != 503, Timeout);
        Assert.Equal(200, served.Status);

        var cancel = await _f.Alice.RunAsync(_f.Node, ["-S", control, "-O", "cancel", "-R", forward], Timeout);
        Assert.True(cancel.ExitCode == 0, $"ssh -O cancel failed: {cancel.Stderr}");

        var after = await Curl.WaitForStatusAsync(_f.Node, "https-cancel.example.com", s => s == 503, Timeout);
        Assert.Equal(503, after.Status);
        Assert.False(master.HasExited, "the master connection stays up after the cancel");
        Assert.True(await _f.Node.WaitForLogAsync("forward \"https-cancel.example.com\" port 443 cancelled", Timeout));
    }
}
