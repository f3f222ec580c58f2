using System.Diagnostics;
using System.Security.Cryptography;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;
using Xunit.Abstractions;
using Member = Gateway.Node.Tests.Cluster.ClusterHarness.Member;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// Real node processes on loopback (A is the seed), OpenSSH's <c>ssh -N -R 0</c> as the tunnel
/// client, requests through every node: those arriving on a node without the tunnel cross the
/// node-to-node relay.
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

    private async Task<Member> StartNodeAsync(int? seedPort = null)
    {
        var member = await ClusterHarness.StartNodeAsync(_dir, _routes, seedPort);
        _owned.Add(member.Node);
        return member;
    }

    private async Task<(Member A, Member B, Member C)> StartThreeAsync()
    {
        var a = await StartNodeAsync();
        var b = await StartNodeAsync(a.ClusterPort);
        var c = await StartNodeAsync(a.ClusterPort);
        foreach (var member in new[] { a, b, c })
        {
            var (ok, json) = await member.WaitForStatusAsync(s => Member.UpMembers(s) == 3, Timeout);
            Assert.True(ok, $"{member.Node} did not see three members Up: {json}");
        }
        return (a, b, c);
    }

    private async Task ConnectTunnelAsync(Member node)
    {
        var ssh = _alice.Connect(node.Node, ["-N", "-v", "-R", "0"]);
        _owned.Add(ssh);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
    }

    [Fact]
    public async Task Tunnel_on_node_B_serves_requests_arriving_on_A_B_and_C_with_bytes_intact()
    {
        var (a, b, c) = await StartThreeAsync();
        await ConnectTunnelAsync(b);

        var payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var payloadPath = Path.Combine(_dir.Path, "payload.bin");
        await File.WriteAllBytesAsync(payloadPath, payload);

        foreach (var (name, member) in new[] { ("A", a), ("B", b), ("C", c) })
        {
            var reply = await ClusterHarness.GetUntilOkAsync(member.Node, $"/via-{name}", Timeout);
            Assert.True(reply.Status == 200, $"node {name}: {reply.Status} {reply.Body}\n{member.Node.Log}");
            Assert.Equal($"laptop-app path=/via-{name}", reply.Body);

            // 3 MiB up and the same 3 MiB back through the tunnel (and, for A and C, the relay).
            var post = await Curl.GetAsync(member.Node, ClusterHarness.RouteHost, "/echo", "--data-binary", "@" + payloadPath, "-H", "Content-Type: application/octet-stream");
            var bytes = post.StdoutBytes;
            Assert.True(bytes.Length >= 4, post.Stderr);
            Assert.Equal("\n200", System.Text.Encoding.ASCII.GetString(bytes, bytes.Length - 4, 4));
            Assert.Equal(payload.Length, bytes.Length - 4);
            Assert.True(payload.AsSpan().SequenceEqual(bytes.AsSpan(0, payload.Length)), $"node {name}: echoed bytes differ");
        }
    }

    [Fact]
    public async Task Status_endpoints_report_liveness_readiness_members_and_the_relayed_endpoint()
    {
        var (a, b, _) = await StartThreeAsync();
        await ConnectTunnelAsync(b);

        Assert.Equal((200, "ok\n"), await a.GetStatusAsync("/healthz"));
        Assert.Equal(200, (await a.GetStatusAsync("/readyz")).Status);
        var (ok, json) = await a.WaitForStatusAsync(s => Member.EndpointCount(s) == 1, Timeout);
        Assert.True(ok, json);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("ready").GetBoolean());
        Assert.Equal(3, root.GetProperty("members").GetArrayLength());
        Assert.All(root.GetProperty("members").EnumerateArray(), m => Assert.StartsWith("127.0.0.1:", m.GetProperty("relay").GetString()));
        var endpoint = root.GetProperty("routes")[0].GetProperty("endpoints")[0];
        Assert.EndsWith($":{b.ClusterPort}", endpoint.GetProperty("node").GetString());
        Assert.False(endpoint.GetProperty("local").GetBoolean());
        Assert.True(endpoint.GetProperty("healthy").GetBoolean());
        Assert.Equal(0, root.GetProperty("local_tunnels").GetArrayLength());

        var (okB, jsonB) = await b.WaitForStatusAsync(s => s.GetProperty("local_tunnels").GetArrayLength() == 1, Timeout);
        Assert.True(okB, jsonB);
    }

    [Fact]
    public async Task Killing_the_node_with_one_of_two_tunnels_disrupts_new_requests_through_A_for_under_3_seconds()
    {
        var (a, b, c) = await StartThreeAsync();
        await ConnectTunnelAsync(b);
        await ConnectTunnelAsync(c);
        var (both, json) = await a.WaitForStatusAsync(s => Member.EndpointCount(s) == 2, Timeout);
        Assert.True(both, "A must know both endpoints before the kill: " + json);

        using var client = ClusterHarness.ClientFor(a.Node);
        // The relay to each node and the channels behind it are opened (and JIT-compiled) before the
        // measured load: the test is about the kill, not about a cold first request.
        using var warmUp = new CancellationTokenSource(Timeout);
        var warm = ClusterHarness.RunLoadAsync(client, "laptop-app path=/load", workers: 4, Stopwatch.StartNew(), warmUp.Token);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await warmUp.CancelAsync();
        Assert.Contains(await warm, s => s.Ok);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var load = ClusterHarness.RunLoadAsync(client, "laptop-app path=/load", workers: 4, clock, stop.Token);
        // Steady load before and after the kill: these are the scenario's durations, not waits for a condition.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var killedAt = clock.Elapsed;
        await b.Node.KillAsync(); // SIGKILL, no graceful leave
        await Task.Delay(TimeSpan.FromSeconds(8));
        await stop.CancelAsync();
        var samples = await load;

        var before = samples.Where(s => s.End < killedAt).ToList();
        var after = samples.Where(s => s.Start >= killedAt).ToList();
        var lastFailure = after.Where(s => !s.Ok).Select(s => s.End).DefaultIfEmpty(killedAt).Max();
        var disruption = lastFailure - killedAt;
        _output.WriteLine($"requests before kill: {before.Count} ({before.Count(s => !s.Ok)} failed); started after kill: {after.Count} ({after.Count(s => !s.Ok)} failed)");
        _output.WriteLine($"measured disruption (kill -> every new request succeeds): {disruption.TotalMilliseconds:0} ms");
        foreach (var failure in samples.Where(s => !s.Ok).OrderByDescending(s => s.End).Take(5))
            _output.WriteLine($"  failed at {(failure.Start - killedAt).TotalMilliseconds:+0;-0} ms: {failure.Detail}");

        Assert.True(before.Count > 0 && before.All(s => s.Ok), "load before the kill must succeed: " + string.Join("; ", before.Where(s => !s.Ok).Take(3).Select(s => s.Detail)));
        Assert.True(after.Count(s => s.Start > killedAt + TimeSpan.FromSeconds(3)) > 10, "load must keep running after the kill");
        Assert.True(disruption < TimeSpan.FromSeconds(3), $"disruption {disruption.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Killing_one_of_three_nodes_keeps_requests_flowing_and_every_survivor_drops_only_its_endpoint()
    {
        var (a, b, c) = await StartThreeAsync();
        var members = new[] { a, b, c };
        foreach (var member in members) await ConnectTunnelAsync(member);
        foreach (var member in members)
        {
            var (all, json) = await member.WaitForStatusAsync(s => Member.EndpointCount(s) == 3, Timeout);
            Assert.True(all, "every node must know all three endpoints: " + json);
        }

        using var client = ClusterHarness.ClientFor(a.Node);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var load = ClusterHarness.RunLoadAsync(client, "laptop-app path=/load", workers: 4, clock, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(2)); // steady load before the kill
        var killedAt = clock.Elapsed;
        await c.Node.KillAsync(); // SIGKILL

        // Nothing is re-registered: the survivors keep each other's endpoints and drop c's once it is unreachable.
        foreach (var survivor in new[] { a, b })
        {
            var (dropped, droppedJson) = await survivor.WaitForStatusAsync(s => Member.EndpointCount(s) == 2, Timeout);
            Assert.True(dropped, "a survivor must list the two surviving endpoints: " + droppedJson);
        }
        var convergedAfter = clock.Elapsed - killedAt;
        await Task.Delay(TimeSpan.FromSeconds(2)); // load keeps running on the survivors' endpoints
        await stop.CancelAsync();
        var samples = await load;

        var after = samples.Where(s => s.Start >= killedAt).ToList();
        var disruption = after.Where(s => !s.Ok).Select(s => s.End).DefaultIfEmpty(killedAt).Max() - killedAt;
        _output.WriteLine($"survivors converged after {convergedAfter.TotalMilliseconds:0} ms; requests after kill: {after.Count} ({after.Count(s => !s.Ok)} failed); disruption {disruption.TotalMilliseconds:0} ms");
        foreach (var failure in after.Where(s => !s.Ok).OrderByDescending(s => s.End).Take(5))
            _output.WriteLine($"  failed at +{(failure.Start - killedAt).TotalMilliseconds:0} ms: {failure.Detail}");

        Assert.True(after.Count(s => s.Start > killedAt + convergedAfter) > 10, "load must run after the survivors converged");
        Assert.True(disruption < TimeSpan.FromSeconds(3), $"disruption {disruption.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_node_started_later_joins_and_serves_a_tunnel_held_elsewhere()
    {
        var a = await StartNodeAsync();
        var b = await StartNodeAsync(a.ClusterPort);
        await ConnectTunnelAsync(b);
        Assert.Equal(200, (await ClusterHarness.GetUntilOkAsync(a.Node, "/first", Timeout)).Status);

        var late = await StartNodeAsync(a.ClusterPort);
        var reply = await ClusterHarness.GetUntilOkAsync(late.Node, "/late", Timeout);
        Assert.True(reply.Status == 200, $"{reply.Status} {reply.Body}\n{late.Node.Log}");
        Assert.Equal("laptop-app path=/late", reply.Body);
    }
}
