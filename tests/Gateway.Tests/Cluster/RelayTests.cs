using System.Diagnostics;
using System.Security.Cryptography;
using Gateway.Gateway.Tests.EndToEnd;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Gateway.Tests.Cluster;

/// <summary>
/// Three real node processes on loopback (A is the seed), OpenSSH's <c>ssh -N -R 0</c> as the
/// tunnel client on one of them, requests through every node: those arriving on a node without
/// the tunnel cross the node-to-node relay.
/// </summary>
[Trait("Category", "Slow")]
public sealed class RelayTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly ITestOutputHelper _output;
    private EchoUpstream _upstream = null!;
    private TunnelClient _alice = null!;
    private string _routes = null!;

    public RelayTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _upstream = await EchoUpstream.StartAsync("laptop-app");
        _alice = await TunnelClient.CreateAsync(_dir, "alice");
        _routes = ClusterHarness.Routes(_alice, _upstream.Url);
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<(GatewayNode Node, int ClusterPort)> StartNodeAsync(int? seedPort = null)
    {
        var started = await ClusterHarness.StartNodeAsync(_dir, _routes, seedPort);
        _owned.Add(started.Node);
        return started;
    }

    private async Task<ExternalProcess> ConnectTunnelAsync(GatewayNode node)
    {
        var ssh = _alice.Connect(node, ["-N", "-v", "-R", "0"]);
        _owned.Add(ssh);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        return ssh;
    }

    [Fact]
    public async Task Tunnel_on_node_B_serves_requests_arriving_on_A_B_and_C_with_bytes_intact()
    {
        var (a, seed) = await StartNodeAsync();
        var (b, _) = await StartNodeAsync(seed);
        var (c, _) = await StartNodeAsync(seed);
        await ConnectTunnelAsync(b);

        var payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var payloadPath = _dir.WritePrivate("payload.bin", "");
        await File.WriteAllBytesAsync(payloadPath, payload);

        foreach (var (name, node) in new[] { ("A", a), ("B", b), ("C", c) })
        {
            var reply = await ClusterHarness.GetUntilOkAsync(node, $"/via-{name}", Timeout);
            Assert.True(reply.Status == 200, $"node {name}: {reply.Status} {reply.Body}\n{node.Log}");
            Assert.Equal($"laptop-app path=/via-{name}", reply.Body);

            // 3 MiB up and the same 3 MiB back through the tunnel (and, for A and C, the relay).
            var post = await Curl.GetAsync(node, ClusterHarness.RouteHost, "/echo", "--data-binary", "@" + payloadPath, "-H", "Content-Type: application/octet-stream");
            var bytes = post.StdoutBytes;
            var statusLine = System.Text.Encoding.ASCII.GetString(bytes, bytes.Length - 4, 4);
            Assert.Equal("\n200", statusLine);
            Assert.Equal(payload.Length, bytes.Length - 4);
            Assert.True(payload.AsSpan().SequenceEqual(bytes.AsSpan(0, payload.Length)), $"node {name}: echoed bytes differ");
        }
        Assert.Contains("relay listening on", b.Log);
    }

    [Fact]
    public async Task Killing_the_node_with_one_of_two_tunnels_disrupts_new_requests_through_A_for_under_3_seconds()
    {
        var (a, seed) = await StartNodeAsync();
        var (b, _) = await StartNodeAsync(seed);
        var (c, _) = await StartNodeAsync(seed);
        await ConnectTunnelAsync(b);
        await ConnectTunnelAsync(c);
        Assert.Equal(200, (await ClusterHarness.GetUntilOkAsync(a, "/warm-up", Timeout)).Status);

        using var client = ClusterHarness.ClientFor(a);
        // Both endpoints must be in A's table before the kill, or the test proves nothing:
        // wait until A has served through B's and C's sessions (each session logs its connections).
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline && !(b.Log.Contains("relay", StringComparison.Ordinal) && await BothServeAsync(client, b, c)))
            await Task.Delay(50);

        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var load = ClusterHarness.RunLoadAsync(client, "laptop-app path=/load", workers: 4, clock, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(2)); // steady load before the kill (a duration the scenario asks for, not a wait for a condition)
        var killedAt = clock.Elapsed;
        await b.DisposeAsync(); // Process.Kill: SIGKILL, no graceful leave
        await Task.Delay(TimeSpan.FromSeconds(8)); // load keeps running after the kill
        await stop.CancelAsync();
        var samples = await load;

        var before = samples.Where(s => s.End < killedAt).ToList();
        var after = samples.Where(s => s.Start >= killedAt).ToList();
        var lastFailure = after.Where(s => !s.Ok).Select(s => s.End).DefaultIfEmpty(killedAt).Max();
        var disruption = lastFailure - killedAt;
        _output.WriteLine($"requests before kill: {before.Count} ({before.Count(s => !s.Ok)} failed); after kill: {after.Count} ({after.Count(s => !s.Ok)} failed)");
        _output.WriteLine($"measured disruption (kill -> every new request succeeds): {disruption.TotalMilliseconds:0} ms");
        foreach (var failure in after.Where(s => !s.Ok).Take(10))
            _output.WriteLine($"  failed at +{(failure.Start - killedAt).TotalMilliseconds:0} ms: {failure.Detail}");

        Assert.True(before.Count > 0 && before.All(s => s.Ok), "load before the kill must succeed: " + string.Join("; ", before.Where(s => !s.Ok).Take(3).Select(s => s.Detail)));
        Assert.True(after.Count(s => s.Start > killedAt + TimeSpan.FromSeconds(3)) > 10, "load must keep running after the kill");
        Assert.True(disruption < TimeSpan.FromSeconds(3), $"disruption {disruption.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_node_started_later_joins_and_serves_a_tunnel_held_elsewhere()
    {
        var (a, seed) = await StartNodeAsync();
        var (b, _) = await StartNodeAsync(seed);
        await ConnectTunnelAsync(b);
        Assert.Equal(200, (await ClusterHarness.GetUntilOkAsync(a, "/first", Timeout)).Status);

        var (late, _) = await StartNodeAsync(seed);
        var reply = await ClusterHarness.GetUntilOkAsync(late, "/late", Timeout);
        Assert.True(reply.Status == 200, $"{reply.Status} {reply.Body}\n{late.Log}");
        Assert.Equal("laptop-app path=/late", reply.Body);
    }

    /// <summary>True once requests through A have been carried by both B's and C's tunnel.</summary>
    private static async Task<bool> BothServeAsync(HttpClient client, GatewayNode b, GatewayNode c)
    {
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/probe");
            if (!response.IsSuccessStatusCode) return false;
        }
        return CountConnections(b) > 0 && CountConnections(c) > 0;
    }

    private static int CountConnections(GatewayNode node) => node.Log.Split('\n').Count(l => l.Contains("relay connection", StringComparison.Ordinal) || l.Contains("/probe", StringComparison.Ordinal));
}
