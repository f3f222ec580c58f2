using System.Diagnostics;
using System.Globalization;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// A downstream that reads slowly must slow the tunnel, not fill the gateway's memory: two real
/// nodes, OpenSSH's <c>ssh -R 0</c> on B, an upstream that can send 4 GiB as fast as loopback
/// allows, and curl on A reading at 1 MB/s. The relay's byte graph on B pulls from the SSH
/// channel only as it writes to A, so the channel's window stops the SSH client; A's proxy reads
/// the relay connection only as Kestrel writes to curl. Both nodes' resident memory is sampled
/// while it runs and must stay within a fixed cap of where it was after a warm-up transfer.
/// </summary>
public sealed class SlowDownstreamMemoryTests : IAsyncLifetime
{
    /// <summary>Far below what even two seconds of unbounded buffering would take (the upstream sends hundreds of MB/s).</summary>
    private const long GrowthCap = 64L * 1024 * 1024;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly ITestOutputHelper _output;
    private EchoUpstream _upstream = null!;

    public SlowDownstreamMemoryTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync() => _upstream = await EchoUpstream.StartAsync("bulk");

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    /// <param name="bytePath">B's <c>cluster.relay_byte_path</c>: the Akka.Streams graph, or the two copy loops</param>
    [Theory]
    [InlineData("streams")]
    [InlineData("splice")]
    public async Task A_slow_reader_on_A_does_not_grow_either_node_while_the_tunnel_on_B_could_send_much_faster(string bytePath)
    {
        var alice = await TunnelClient.CreateAsync(_dir, "alice");
        var routes = ClusterHarness.Routes(alice, _upstream.Url);
        var a = await ClusterHarness.StartNodeAsync(_dir, routes);
        _owned.Add(a.Node);
        var b = await ClusterHarness.StartNodeAsync(_dir, routes, a.ClusterPort, bytePath);
        _owned.Add(b.Node);
        var ssh = alice.Connect(b.Node, ["-N", "-v", "-R", "0"]);
        _owned.Add(ssh);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        Assert.Equal(200, (await ClusterHarness.GetUntilOkAsync(a.Node, "/ready", Timeout)).Status);
        Assert.Contains($"byte path {bytePath}", b.Node.Log);

        // Warm-up at full speed: pools, JIT and the GC's heaps settle before the baseline.
        var warm = await Curl.GetAsync(a.Node, ClusterHarness.RouteHost, "/bytes/134217728", "-o", "/dev/null");
        Assert.EndsWith("200", warm.Stdout.Trim());
        var baseA = a.Node.ResidentBytes();
        var baseB = b.Node.ResidentBytes();

        var slow = Curl.GetAsync(a.Node, ClusterHarness.RouteHost, "/bytes/4294967296", "-o", "/dev/null", "--limit-rate", "1M",
            "--max-time", "8", "-w", "\n%{size_download}");
        long peakA = baseA, peakB = baseB;
        var clock = Stopwatch.StartNew();
        while (!slow.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            peakA = Math.Max(peakA, a.Node.ResidentBytes());
            peakB = Math.Max(peakB, b.Node.ResidentBytes());
            await Task.Delay(250);
        }
        var result = await slow.WaitAsync(Timeout);
        var downloaded = long.Parse(result.Stdout.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
        _output.WriteLine($"{bytePath}: downloaded {downloaded:N0} bytes at 1 MB/s; A {baseA / 1048576.0:0.0} -> peak {peakA / 1048576.0:0.0} MiB, B {baseB / 1048576.0:0.0} -> peak {peakB / 1048576.0:0.0} MiB");

        Assert.Equal(28, result.ExitCode); // curl stopped at --max-time: the body was still coming
        Assert.InRange(downloaded, 2_000_000, 20_000_000); // it ran, at about the limit
        Assert.True(peakB - baseB < GrowthCap, $"node B (the relay graph) grew by {(peakB - baseB) / 1048576.0:0.0} MiB");
        Assert.True(peakA - baseA < GrowthCap, $"node A (the proxy) grew by {(peakA - baseA) / 1048576.0:0.0} MiB");

        // The connection is gone on both nodes once curl left (nothing kept it half-open).
        var (freed, json) = await b.WaitForStatusAsync(s => s.GetProperty("data_path").GetProperty("relay_connections_in").GetInt64() == 0
            && s.GetProperty("data_path").GetProperty("downstream_connection_actors").GetInt64() == 0, Timeout);
        Assert.True(freed, json);
    }
}
