using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;
using Xunit.Abstractions;
using Member = Gateway.Node.Tests.Cluster.ClusterHarness.Member;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// The node holding every tunnel of a route is killed with SIGKILL; its OpenSSH clients, each run
/// in a restart loop over the cluster's SSH addresses (as a systemd unit with <c>Restart=always</c>
/// behind a name that lists every node does), reconnect to the survivors, and the survivors serve
/// the route through them.
/// </summary>
public sealed class NodeLossReconnectTests : IAsyncLifetime
{
    private const int Clients = 12;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly ITestOutputHelper _output;
    private EchoUpstream _upstream = null!;
    private TunnelClient _alice = null!;

    public NodeLossReconnectTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _upstream = await EchoUpstream.StartAsync("laptop-app");
        _alice = await TunnelClient.CreateAsync(_dir, "alice");
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<Member> StartNodeAsync(int? seedPort = null)
    {
        // Every client connects from 127.0.0.1: room for all of them reconnecting at once.
        var routes = ClusterHarness.Routes(_alice, _upstream.Url) + "\nssh_per_source_max_startups = 50\nssh_max_startups = \"100:30:200\"\n";
        var member = await ClusterHarness.StartNodeAsync(_dir, routes, seedPort);
        _owned.Add(member.Node);
        return member;
    }

    /// <summary>
    /// A tunnel client in a bounded restart loop: <c>ssh -N -R 0</c> to each port in turn, half a
    /// second between attempts. One known_hosts file pins every node's host key.
    /// </summary>
    private ExternalProcess StartRestartLoop(string knownHosts, IEnumerable<int> ports)
    {
        var ssh = new OpenSshClient(0, knownHosts, _alice.KeyPath, user: "tunnel")
            .Arguments(["ExitOnForwardFailure=yes", "ServerAliveInterval=2", "ServerAliveCountMax=2", "ConnectTimeout=5"], ["-N", "-R", "0"]);
        // OpenSshClient puts "-p <port>" first; the loop substitutes each port of the list.
        var portIndex = ssh.IndexOf("-p") + 1;
        ssh[portIndex] = "$port";
        var command = string.Join(' ', ssh.Select(a => a == "$port" ? "\"$port\"" : "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var loop = $"for round in $(seq 1 200); do for port in {string.Join(' ', ports)}; do ssh {command}; sleep 0.5; done; done";
        return ExternalProcess.Start("bash", ["-c", loop]);
    }

    /// <summary>The endpoints <c>/status</c> lists for the route, by holding node.</summary>
    private static Dictionary<string, int> EndpointsByNode(JsonElement status)
        => status.GetProperty("routes").EnumerateArray()
            .SelectMany(r => r.GetProperty("endpoints").EnumerateArray())
            .GroupBy(e => e.GetProperty("node").GetString()!)
            .ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The status code and the error page's message, for grouping failures.</summary>
    private static string Summary(string detail)
    {
        var message = System.Text.RegularExpressions.Regex.Match(detail, "<p>([^<]*)</p>");
        var head = detail.Split(' ', 2)[0];
        return message.Success ? $"{head} {message.Groups[1].Value}" : detail[..Math.Min(detail.Length, 120)];
    }

    private static string NodeAddress(JsonElement status) => status.GetProperty("node").GetString()!;

    [Fact]
    public async Task Killing_the_node_holding_every_tunnel_moves_them_to_the_survivors_which_serve_the_route()
    {
        var a = await StartNodeAsync();
        var b = await StartNodeAsync(a.ClusterPort);
        var c = await StartNodeAsync(a.ClusterPort);
        var addresses = new Dictionary<Member, string>();
        foreach (var member in new[] { a, b, c })
        {
            var (up, json) = await member.WaitForStatusAsync(s => Member.UpMembers(s) == 3, Timeout);
            Assert.True(up, $"{member.Node} must see three members Up: {json}");
            addresses[member] = NodeAddress(JsonDocument.Parse(json).RootElement);
        }

        var knownHosts = _dir.WritePrivate("known_hosts_cluster", string.Concat(new[] { a, b, c }.Select(m =>
            string.Create(CultureInfo.InvariantCulture, $"[127.0.0.1]:{m.Node.SshPort} {m.Node.HostKeyLine}\n"))));
        // Every loop starts on B; half go on to C first, half to A, so both survivors take some.
        var loops = Enumerable.Range(0, Clients).Select(i => StartRestartLoop(knownHosts,
            i % 2 == 0 ? [b.Node.SshPort, c.Node.SshPort, a.Node.SshPort] : [b.Node.SshPort, a.Node.SshPort, c.Node.SshPort])).ToList();
        foreach (var loop in loops) _owned.Add(loop);

        foreach (var member in new[] { a, b, c })
        {
            var (all, json) = await member.WaitForStatusAsync(s => EndpointsByNode(s).GetValueOrDefault(addresses[b]) == Clients, Timeout);
            Assert.True(all, $"{member.Node} must list all {Clients} endpoints on B: {json}");
        }

        using var throughA = ClusterHarness.ClientFor(a.Node);
        using var throughC = ClusterHarness.ClientFor(c.Node);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var answered = 0;
        void Count(ClusterHarness.Sample s) { if (s.Ok) Interlocked.Increment(ref answered); }
        var loadA = ClusterHarness.RunLoadAsync(throughA, "laptop-app path=/load", workers: 2, clock, stop.Token, Count);
        var loadC = ClusterHarness.RunLoadAsync(throughC, "laptop-app path=/load", workers: 2, clock, stop.Token, Count);
        // Steady load through B's tunnels before the kill: at least a second and 20 answers (bounded).
        var warmUntil = clock.Elapsed + TimeSpan.FromSeconds(1);
        while (clock.Elapsed < warmUntil || Volatile.Read(ref answered) < 20)
        {
            Assert.True(clock.Elapsed < Timeout, "load before the kill never got 20 answers");
            await Task.Delay(50);
        }

        var killedAt = clock.Elapsed;
        await b.Node.KillAsync(); // SIGKILL: no leave, no goodbye to the clients
        var moved = new Dictionary<Member, TimeSpan>();
        foreach (var member in new[] { a, c })
        {
            var (all, json) = await member.WaitForStatusAsync(s =>
            {
                var byNode = EndpointsByNode(s);
                return !byNode.ContainsKey(addresses[b]) && byNode.Values.Sum() == Clients;
            }, Timeout);
            Assert.True(all, $"{member.Node} must list all {Clients} endpoints on the survivors and none on B: {json}");
            moved[member] = clock.Elapsed;
        }
        var settledAt = moved.Values.Max();
        await Task.Delay(TimeSpan.FromSeconds(2)); // load through the reconnected tunnels alone
        await stop.CancelAsync();
        var samples = (await loadA).Concat(await loadC).ToList();

        var (_, finalJson) = await a.GetStatusAsync("/status");
        var final = EndpointsByNode(JsonDocument.Parse(finalJson).RootElement);
        var before = samples.Where(s => s.End < killedAt).ToList();
        var between = samples.Where(s => s.Start >= killedAt && s.Start < settledAt).ToList();
        var after = samples.Where(s => s.Start >= settledAt).ToList();
        _output.WriteLine($"all {Clients} tunnels listed on the survivors {(settledAt - killedAt).TotalMilliseconds:0} ms after the kill: " +
            string.Join(", ", final.Select(kv => $"{kv.Value} on {kv.Key}")));
        _output.WriteLine($"requests before: {before.Count} ({before.Count(s => !s.Ok)} failed); while reconnecting: {between.Count} ({between.Count(s => !s.Ok)} failed); after: {after.Count} ({after.Count(s => !s.Ok)} failed)");

        foreach (var failure in between.Where(s => !s.Ok).GroupBy(s => Summary(s.Detail)))
            _output.WriteLine($"  {failure.Count()} failed from +{(failure.Min(s => s.Start) - killedAt).TotalMilliseconds:0} to +{(failure.Max(s => s.Start) - killedAt).TotalMilliseconds:0} ms: {failure.Key}");

        Assert.True(before.Count > 0 && before.All(s => s.Ok), "load before the kill must succeed");
        Assert.True(final.GetValueOrDefault(addresses[a]) > 0 && final.GetValueOrDefault(addresses[c]) > 0,
            "both survivors must hold some of the reconnected tunnels: " + string.Join(", ", final.Select(kv => $"{kv.Value} on {kv.Key}")));
        Assert.True(after.Count > 10, $"load must run through the reconnected tunnels ({after.Count} requests)");
        var failed = after.Where(s => !s.Ok).Take(5).ToList();
        Assert.True(failed.Count == 0, "requests through the survivors failed: " + string.Join("; ", failed.Select(s => s.Detail)));
    }
}
