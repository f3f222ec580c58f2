using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Support;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// Rolling restart with graceful drain: three real node processes, two OpenSSH tunnel clients in
/// reconnect loops (each trying the nodes in turn), steady load through a test load balancer that
/// only sends to nodes whose <c>/readyz</c> answers 200; each node in turn gets SIGTERM, exits, and
/// is started again with the same config.
/// </summary>
public sealed class RollingRestartTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private readonly List<ExternalProcess> _loops = [];
    private readonly GatewayNodeProcess[] _nodes = new GatewayNodeProcess[3];
    private EchoUpstream _upstream = null!;
    private TunnelClient _alice = null!;

    public RollingRestartTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _upstream = await EchoUpstream.StartAsync("laptop-app");
        _alice = await TunnelClient.CreateAsync(_dir, "alice");
    }

    public async Task DisposeAsync()
    {
        foreach (var loop in _loops) await loop.DisposeAsync();
        foreach (var node in _nodes) if (node is not null) await node.DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Rolling_restart_with_graceful_drain_loses_no_request()
    {
        var routes = ClusterHarness.Routes(_alice, _upstream.Url);
        // Every node is a seed: a restarted first seed then joins the running cluster instead of
        // forming a new one by itself (docs/cluster.md, "Graceful drain").
        var clusterPorts = Enumerable.Range(0, 3).Select(_ => LoopbackPorts.Reserve()).ToArray();
        for (var i = 0; i < 3; i++)
            _nodes[i] = CreateNode($"n{i}", routes, clusterPorts[i], clusterPorts);
        await Task.WhenAll(_nodes.Select(n => n.StartAsync(Timeout)));
        foreach (var node in _nodes) await WaitForAsync(node, s => ClusterHarness.Member.UpMembers(s) == 3, Timeout, "three members Up");

        var knownHosts = _dir.WritePrivate("known_hosts_all", string.Concat(_nodes.Select(n => $"[127.0.0.1]:{n.SshPort} {n.HostKeyLine}\n")));
        var (a, b, c) = (_nodes[0], _nodes[1], _nodes[2]);
        // Each loop tries the next node on every reconnect. The orders are chosen so the two
        // tunnels never sit on the node being drained at the same time (restart order A, B, C).
        _loops.Add(StartReconnectLoop("one", knownHosts, [b, a, c]));
        _loops.Add(StartReconnectLoop("two", knownHosts, [c, a, b]));
        foreach (var node in _nodes)
            await WaitForAsync(node, s => ClusterHarness.Member.EndpointCount(s) == 2 && s.GetProperty("ready").GetBoolean(), Timeout, "both tunnels registered");

        var balancer = new ReadyBalancer(_nodes);
        await balancer.RefreshAsync(CancellationToken.None);
        using var client = balancer.CreateClient();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var polling = balancer.PollAsync(stop.Token);
        var load = ClusterHarness.RunLoadAsync(client, "laptop-app path=/load", workers: 4, clock, stop.Token);

        var events = new List<string>();
        await Task.Delay(TimeSpan.FromSeconds(2)); // steady load before the first drain: part of the scenario, not a wait for a condition
        try
        {
            foreach (var node in _nodes)
            {
                events.Add($"{clock.Elapsed.TotalSeconds:0.0}s SIGTERM {node.Name}");
                Assert.True(await node.StopAsync(Timeout), $"{node.Name} did not exit after SIGTERM:\n{node.Log}");
                events.Add($"{clock.Elapsed.TotalSeconds:0.0}s {node.Name} exited with {node.LastExitCode}");
                Assert.True(node.LastExitCode == 0, $"{node.Name} exit code {node.LastExitCode}:\n{node.LastLog}");
                var drained = node.LastLog.IndexOf("drained after", StringComparison.Ordinal);
                var leaving = node.LastLog.IndexOf("as [Leaving]", StringComparison.Ordinal);
                Assert.True(drained >= 0 && leaving > drained, $"{node.Name} must leave the cluster after the drain:\n{node.LastLog}");
                await node.StartAsync(Timeout);
                events.Add($"{clock.Elapsed.TotalSeconds:0.0}s {node.Name} started (gateway ready)");
                foreach (var member in _nodes)
                    await WaitForAsync(member, s => ClusterHarness.Member.UpMembers(s) == 3, Timeout, "three members Up after restarting " + node.Name);
                events.Add($"{clock.Elapsed.TotalSeconds:0.0}s {node.Name}: every node sees 3 members Up");
                // Both tunnel clients back (one reconnected elsewhere) before the next node drains.
                await WaitForAsync(node, s => ClusterHarness.Member.EndpointCount(s) == 2, Timeout, "both tunnels registered after restarting " + node.Name);
                events.Add($"{clock.Elapsed.TotalSeconds:0.0}s {node.Name} back, 3 members, 2 endpoints");
            }
        }
        finally
        {
            await stop.CancelAsync();
        }
        var samples = await load;
        await polling;

        foreach (var line in events) _output.WriteLine(line);
        var failed = samples.Where(s => !s.Ok).ToList();
        _output.WriteLine($"requests: {samples.Count}, failed: {failed.Count}, duration {clock.Elapsed.TotalSeconds:0.0}s");
        foreach (var group in failed.GroupBy(f => f.Detail.Split('\n').Last(l => l.Length > 0)[..Math.Min(120, f.Detail.Split('\n').Last(l => l.Length > 0).Length)]))
            _output.WriteLine($"  {group.Count()} failed between {group.Min(f => f.Start).TotalSeconds:0.000}s and {group.Max(f => f.Start).TotalSeconds:0.000}s: {group.Key}");
        if (failed.Count > 0)
        {
            foreach (var loop in _loops) _output.WriteLine("loop: " + loop.Stderr);
            foreach (var node in _nodes) _output.WriteLine($"{node.Name} (previous run):\n{node.LastLog}\n{node.Name} (current):\n{node.Log}");
        }
        Assert.True(samples.Count > 100, $"load must keep running through the restarts ({samples.Count} requests)");
        Assert.True(failed.Count == 0, $"{failed.Count} of {samples.Count} requests failed: " + string.Join("; ", failed.Take(5).Select(f => $"{f.Start.TotalSeconds:0.000}s {f.Detail}")));
    }

    [Fact]
    public async Task Post_drain_turns_readiness_off_refuses_new_ssh_then_leaves_and_disconnects_the_tunnel()
    {
        var port = LoopbackPorts.Reserve();
        var node = _nodes[0] = CreateNode("solo", ClusterHarness.Routes(_alice, _upstream.Url), port, [port]);
        await node.StartAsync(Timeout);
        var ssh = new OpenSshClient(_dir, node.SshPort, node.HostKeyLine, _alice.KeyPath, user: "tunnel")
            .Start(["ExitOnForwardFailure=yes"], ["-N", "-v", "-R", "0"]);
        _loops.Add(ssh);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        await WaitForAsync(node, s => ClusterHarness.Member.EndpointCount(s) == 1 && s.GetProperty("ready").GetBoolean(), Timeout, "ready with the tunnel's endpoint");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var status = node.StatusUrl;
        Assert.Equal(HttpStatusCode.Accepted, await node.PostDrainAsync());
        // At once, not eventually: a load balancer probing right after the command must see 503.
        using (var ready = await http.GetAsync(status + "/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("draining\n", await ready.Content.ReadAsStringAsync());
        }
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            var refused = await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, node.SshPort));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
        Assert.False(ssh.HasExited, "the open tunnel stays up while the node drains");

        Assert.True(await node.WaitForExitAsync(Timeout), "the node exits after POST /drain");
        Assert.Equal(0, node.LastExitCode);
        Assert.True(await ssh.WaitForExitAsync(TimeSpan.FromSeconds(10)), "ssh ends when the node closes it");
        Assert.Contains("server shutting down", ssh.Stderr, StringComparison.Ordinal);
        var log = node.LastLog;
        var drained = log.IndexOf("drained after", StringComparison.Ordinal);
        var leaving = log.IndexOf("as [Leaving]", StringComparison.Ordinal);
        Assert.True(drained >= 0 && leaving > drained, "the node leaves the cluster after the drain:\n" + log);
    }

    /// <summary>
    /// A node with its own HTTPS, SSH and status ports and data directory, joining through
    /// <paramref name="seedPorts"/>; its config stays the same across restarts.
    /// </summary>
    private GatewayNodeProcess CreateNode(string name, string routes, int clusterPort, int[] seedPorts)
    {
        var status = LoopbackPorts.Reserve();
        var seeds = string.Join(", ", seedPorts.Select(p => $"\"127.0.0.1:{p}\""));
        var config = $$"""
            {{routes}}
            cluster {
              hostname = "127.0.0.1"
              port = {{clusterPort}}
              seed_nodes = [{{seeds}}]
              status_address = "127.0.0.1:{{status}}"
            }
            """;
        return GatewayNodeProcess.Create(_dir, config, name, status);
    }

    /// <summary>Polls <c>/status</c> until <paramref name="condition"/> holds; fails the test with the last document otherwise.</summary>
    private static async Task WaitForAsync(GatewayNodeProcess node, Func<System.Text.Json.JsonElement, bool> condition, TimeSpan timeout, string what)
    {
        var (ok, json) = await node.WaitForStatusAsync(condition, timeout);
        Assert.True(ok, $"{node.Name}: {what} not reached: {json}");
    }

    /// <summary>
    /// The documentation's reconnect loop, bounded: <c>ssh -N -R 0</c> with ExitOnForwardFailure and
    /// keep-alives, then one second's pause, each time against the next node in <paramref name="order"/>.
    /// </summary>
    private ExternalProcess StartReconnectLoop(string name, string knownHosts, GatewayNodeProcess[] order)
    {
        var ports = string.Join(' ', order.Select(n => n.SshPort.ToString(CultureInfo.InvariantCulture)));
        var script = $$"""
            ports=({{ports}}); i=0; end=$((SECONDS+240))
            while [ $SECONDS -lt $end ]; do
              port=${ports[$((i % ${#ports[@]}))]}; i=$((i+1))
              echo "{{name}}: connecting to $port" >&2
              timeout $((end-SECONDS)) ssh -F /dev/null -N -p "$port" -i '{{_alice.KeyPath}}' -o IdentitiesOnly=yes -o BatchMode=yes \
                -o StrictHostKeyChecking=yes -o 'UserKnownHostsFile={{knownHosts}}' -o GlobalKnownHostsFile=/dev/null \
                -o ExitOnForwardFailure=yes -o ServerAliveInterval=5 -o ServerAliveCountMax=2 -o ConnectTimeout=5 \
                -R 0 tunnel@127.0.0.1
              echo "{{name}}: ssh ended with $?" >&2
              sleep 1
            done
            """;
        return ExternalProcess.Start("bash", ["-c", script]);
    }

    /// <summary>
    /// The test's load balancer: polls every node's <c>/readyz</c> every 100 ms and opens each new
    /// connection to a ready node (round robin). Connections live at most 500 ms, so traffic
    /// follows readiness as with a per-request balancer.
    /// </summary>
    private sealed class ReadyBalancer
    {
        private readonly GatewayNodeProcess[] _nodes;
        private volatile GatewayNodeProcess[] _ready;
        private int _next;

        public ReadyBalancer(GatewayNodeProcess[] nodes)
        {
            _nodes = nodes;
            _ready = nodes;
        }

        public async Task PollAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                await RefreshAsync(stop);
                try
                {
                    await Task.Delay(100, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        public async Task RefreshAsync(CancellationToken ct)
        {
            var states = await Task.WhenAll(_nodes.Select(n => n.IsReadyAsync(ct)));
            var ready = _nodes.Where((_, i) => states[i]).ToArray();
            if (ready.Length > 0) _ready = ready;
        }

        public HttpClient CreateClient()
        {
            var handler = new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMilliseconds(500),
                ConnectCallback = (_, ct) =>
                {
                    var ready = _ready;
                    var node = ready[(int)((uint)Interlocked.Increment(ref _next) % (uint)ready.Length)];
                    return ClusterHarness.ConnectLoopbackAsync(node.HttpsPort, ct);
                },
                // Availability measurement only; other cluster tests verify the certificate with curl.
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            };
            return new HttpClient(handler) { BaseAddress = new Uri($"https://{ClusterHarness.RouteHost}"), Timeout = TimeSpan.FromSeconds(10) };
        }
    }
}
