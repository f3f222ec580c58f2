using System.Text.RegularExpressions;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// What a tunnel user is told: the plain-text status stream (forwards, connections, warnings with
/// hints), both forward-mode mismatch warnings, a client the ssh_policy does not admit, and the
/// explanations OpenSSH prints for refused forward requests.
/// </summary>
public sealed partial class StatusStreamTests : IClassFixture<StatusStreamTests.Fixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Fixture _f;

    public StatusStreamTests(Fixture fixture) => _f = fixture;

    /// <summary>One node (and its upstreams and users) for the whole class; the tests run one after another.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public TempDirectory Dir { get; } = new();
        public NamedUpstream App { get; private set; } = null!;
        public TunnelClient Alice { get; private set; } = null!;
        public TunnelClient Mallory { get; private set; } = null!;
        public GatewayNodeProcess Node { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            App = await NamedUpstream.StartAsync("status-app");
            Alice = await TunnelClient.CreateAsync(Dir, "alice");
            Mallory = await TunnelClient.CreateAsync(Dir, "mallory");
            Node = await GatewayNodeProcess.StartAsync(Dir, $$"""
                users = [
                  { email = "alice@example.com", ssh_keys = ["{{Alice.PublicKey}}"] }
                  { email = "mallory@example.com", ssh_keys = ["{{Mallory.PublicKey}}"] }
                ]
                routes = [
                  {{Route("https-status.example.com", App.Url, "alice@example.com")}}
                  {{Route("https-mis-a.example.com", App.Url, "alice@example.com")}}
                  {{Route("https-mis-b.example.com", App.Url, "alice@example.com")}}
                  {{Route("https-dup.example.com", App.Url, "alice@example.com")}}
                  {{Route("https-denied.example.com", App.Url, "carol@example.com")}}
                ]
                """);
        }

        private static string Route(string host, string to, string admitted) => $$"""
            {
              from = "https://{{host}}"
              to = "{{to}}"
              allow_public_unauthenticated_access = true
              upstream_tunnel { ssh_policy { allow { or = [{ email { is = "{{admitted}}" } }] } } }
            }
            """;

        public async Task DisposeAsync()
        {
            await Node.DisposeAsync();
            await App.DisposeAsync();
            Dir.Dispose();
        }
    }

    [Fact]
    public async Task Status_stream_shows_the_forward_and_connections_and_the_connection_stays_up()
    {
        await Curl.WaitForStatusAsync(_f.Node, "https-status.example.com", s => s == 503, Timeout); // no earlier test's tunnel left
        await using var ssh = StatusStream.Open(_f.Alice, _f.Node, "0");
        var port = await TunnelClient.WaitForForwardAsync(ssh, Timeout);
        Assert.NotNull(port);
        Assert.True(await StatusStream.WaitForAsync(ssh, "gateway: signed in as alice@example.com", Timeout), ssh.Stdout + ssh.Stderr);
        Assert.True(await StatusStream.WaitForAsync(ssh, $"forward \"localhost\" port D {port} (dynamic): serving ", Timeout), ssh.Stdout);
        var forwardLine = ssh.Stdout.Split('\n').First(l => l.Contains("(dynamic): serving", StringComparison.Ordinal));
        Assert.Contains("https-status.example.com", forwardLine);
        Assert.DoesNotContain("https-denied.example.com", forwardLine);

        // The upstream connection is a tunnel channel that YARP pools (keep-alive); "/close" makes
        // the upstream end it after the reply, so the stream shows it opening and closing.
        var reply = await Curl.WaitForStatusAsync(_f.Node, "https-status.example.com", s => s != 503, Timeout, "/close");
        Assert.Equal(200, reply.Status);
        Assert.True(await StatusStream.WaitForAsync(ssh, s => OpenedLine().IsMatch(s) && ClosedLine().IsMatch(s), Timeout), ssh.Stdout);

        await Task.Delay(300);
        Assert.False(ssh.HasExited, "the status stream's connection stays up:\n" + ssh.Stderr);
    }

    [GeneratedRegex(@"connection \d+ from 127\.0\.0\.1:\d+ to https-status\.example\.com opened")]
    private static partial Regex OpenedLine();

    [GeneratedRegex(@"connection \d+ from 127\.0\.0\.1:\d+ to https-status\.example\.com closed after \d+\.\d+s: \d+ bytes sent, \d+ bytes received")]
    private static partial Regex ClosedLine();

    [Fact]
    public async Task Client_not_admitted_by_ssh_policy_keeps_its_connection_but_serves_nothing()
    {
        await using var ssh = StatusStream.Open(_f.Mallory, _f.Node, "0");
        var port = await TunnelClient.WaitForForwardAsync(ssh, Timeout);
        Assert.NotNull(port); // the request itself succeeds
        Assert.True(await StatusStream.WaitForAsync(ssh,
            "warning: route https-denied.example.com matches \"localhost\" but its ssh_policy does not admit mallory@example.com", Timeout), ssh.Stdout);
        Assert.Contains($"forward \"localhost\" port D {port} (dynamic): matches no route you may serve", ssh.Stdout);

        var (body, status) = Curl.Parse(await Curl.GetAsync(_f.Node, "https-denied.example.com"));
        Assert.Equal(503, status);
        Assert.Contains("https-denied.example.com", body);
        Assert.False(ssh.HasExited, "the connection stays up:\n" + ssh.Stderr);
    }

    [Fact]
    public async Task Static_request_from_a_client_acting_as_socks_server_warns_expecting_dynamic()
    {
        await Curl.WaitForStatusAsync(_f.Node, "https-mis-a.example.com", s => s == 503, Timeout);
        // No local address: OpenSSH serves SOCKS on this forward, while port 443 is static for the gateway.
        await using var ssh = StatusStream.Open(_f.Alice, _f.Node, "https-mis-a.example.com:443");
        await TunnelClient.WaitForForwardAsync(ssh, Timeout);
        Assert.Contains("remote forward success", ssh.Stderr);

        var reply = await Curl.WaitForStatusAsync(_f.Node, "https-mis-a.example.com", s => s != 503, Timeout);
        Assert.Equal(502, reply.Status);
        Assert.True(await StatusStream.WaitForAsync(ssh, "warning: ssh client may be expecting dynamic port-forwarding", Timeout), ssh.Stdout);
        Assert.True(await StatusStream.WaitForAsync(ssh, s =>
            s.Contains("   hint: request port 0 instead of 443 (ex: '-R https-mis-a.example.com:0')", StringComparison.Ordinal)
            && s.Contains($"   hint: or, specify a local host:port (ex: '-R https-mis-a.example.com:443:127.0.0.1:{_f.App.Port}')", StringComparison.Ordinal), Timeout), ssh.Stdout);
        Assert.Contains("ssh client may be expecting dynamic port-forwarding", _f.Node.Log);
    }

    [Fact]
    public async Task Dynamic_request_from_a_client_with_a_fixed_local_port_warns_expecting_static()
    {
        await Curl.WaitForStatusAsync(_f.Node, "https-mis-b.example.com", s => s == 503, Timeout);
        // Dynamic for the gateway (port 0), static on the client: the gateway's SOCKS greeting reaches the web server.
        await using var ssh = StatusStream.Open(_f.Alice, _f.Node, $"0:127.0.0.1:{_f.App.Port}");
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));

        var reply = await Curl.WaitForStatusAsync(_f.Node, "https-mis-b.example.com", s => s != 503, Timeout);
        Assert.Equal(502, reply.Status);
        Assert.True(await StatusStream.WaitForAsync(ssh, "warning: ssh client may be expecting static port-forwarding", Timeout), ssh.Stdout);
        Assert.True(await StatusStream.WaitForAsync(ssh, s =>
            s.Contains("   hint: when requesting port 0, do not specify a local host:port (ex: '-R 0')", StringComparison.Ordinal)
            && s.Contains($"   hint: or, request port 443 directly and provide a hostname (ex: '-R https-mis-b.example.com:443:127.0.0.1:{_f.App.Port}')", StringComparison.Ordinal), Timeout), ssh.Stdout);
        Assert.Contains("ssh client may be expecting static port-forwarding", _f.Node.Log);
    }

    [Fact]
    public async Task The_129th_forward_request_is_refused_with_the_servers_explanation()
    {
        var flags = new List<string> { "-N", "-v" };
        for (var i = 1; i <= 129; i++) flags.AddRange(["-R", $"r{i}.example.com:0"]); // distinct, or OpenSSH drops repeats
        await using var ssh = _f.Alice.Connect(_f.Node, flags);
        Assert.True(await ssh.WaitForStderrAsync(s => Count(s, "Allocated port") + Count(s, "remote port forwarding failed") >= 129, Timeout), ssh.Stderr);
        Assert.Equal(128, Count(ssh.Stderr, "Allocated port"));
        Assert.Equal(1, Count(ssh.Stderr, "remote port forwarding failed"));
        Assert.True(await ssh.WaitForStderrAsync(s => s.Contains("exceeded maximum allowed port-forward requests", StringComparison.Ordinal), Timeout), ssh.Stderr);
        Assert.False(ssh.HasExited);
    }

    [Fact]
    public async Task Duplicate_static_request_is_refused_with_the_servers_explanation()
    {
        await Curl.WaitForStatusAsync(_f.Node, "https-dup.example.com", s => s == 503, Timeout);
        await using var ssh = _f.Alice.Connect(_f.Node, ["-N", "-v",
            "-R", $"https-dup.example.com:443:127.0.0.1:{_f.App.Port}",
            "-R", "https-dup.example.com:443:127.0.0.1:9"]);
        Assert.True(await ssh.WaitForStderrAsync(s => Count(s, "remote forward success") + Count(s, "remote port forwarding failed") >= 2, Timeout), ssh.Stderr);
        Assert.Equal(1, Count(ssh.Stderr, "remote forward success"));
        Assert.Equal(1, Count(ssh.Stderr, "remote port forwarding failed"));
        Assert.True(await ssh.WaitForStderrAsync(s => s.Contains("received duplicate port forward request (host: https-dup.example.com, port: 443)", StringComparison.Ordinal), Timeout), ssh.Stderr);

        // The first forward keeps serving.
        var reply = await Curl.WaitForStatusAsync(_f.Node, "https-dup.example.com", s => s != 503, Timeout);
        Assert.Equal(200, reply.Status);
    }

    private static int Count(string text, string needle) => Regex.Count(text, Regex.Escape(needle));
}
