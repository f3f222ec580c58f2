using System.Diagnostics;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;
using Xunit.Abstractions;
using Member = Gateway.Node.Tests.Cluster.ClusterHarness.Member;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// Many OpenSSH tunnel clients on one node killed at once (as a network blip does to a fleet),
/// one more on another node left alone, load through both nodes: requests keep finding a live
/// endpoint, and both nodes' replicas drop exactly the dead ones.
/// </summary>
public sealed class MassDisconnectTests : IAsyncLifetime
{
    private const int Fleet = 40;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly ITestOutputHelper _output;
    private EchoUpstream _upstream = null!;
    private TunnelClient _alice = null!;

    public MassDisconnectTests(ITestOutputHelper output) => _output = output;

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
        // Every client connects from 127.0.0.1: room for the whole fleet's handshakes from one address.
        var routes = ClusterHarness.Routes(_alice, _upstream.Url) + "\nssh_per_source_max_startups = 100\nssh_max_startups = \"100:30:200\"\n";
        var member = await ClusterHarness.StartNodeAsync(_dir, routes, seedPort);
        _owned.Add(member.Node);
        return member;
    }

    private async Task<ExternalProcess> ConnectAsync(Member member)
    {
        var ssh = _alice.Connect(member.Node, ["-N", "-v", "-R", "0"]);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        return ssh;
    }

    /// <summary>The nodes' log lines that name the request id a gateway error page shows.</summary>
    private static IEnumerable<string> LogLinesOf(string page, params Member[] members)
    {
        var id = System.Text.RegularExpressions.Regex.Match(page, @"Request id: <code>([^<]+)</code>|Request id: ([^\s<]+)");
        var value = id.Groups[1].Success ? id.Groups[1].Value : id.Groups[2].Value;
        if (value.Length == 0) return [];
        return members.SelectMany(m => m.Node.Log.Split('\n')).Where(line => line.Contains(value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Forty_tunnels_killed_at_once_never_make_a_later_request_fail_and_both_replicas_converge()
    {
        var a = await StartNodeAsync();
        var b = await StartNodeAsync(a.ClusterPort);
        foreach (var member in new[] { a, b })
            Assert.True((await member.WaitForStatusAsync(s => Member.UpMembers(s) == 2, Timeout)).Ok);

        await using var survivor = await ConnectAsync(a);
        var fleet = new List<ExternalProcess>();
        try
        {
            for (var batch = 0; batch < Fleet / 10; batch++)
                fleet.AddRange(await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => ConnectAsync(b))));
            foreach (var member in new[] { a, b })
            {
                var (all, json) = await member.WaitForStatusAsync(s => Member.EndpointCount(s) == Fleet + 1, Timeout);
                Assert.True(all, $"{member.Node} must list every endpoint: {json}");
            }

            using var throughA = ClusterHarness.ClientFor(a.Node);
            using var throughB = ClusterHarness.ClientFor(b.Node);
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var loadA = ClusterHarness.RunLoadAsync(throughA, "laptop-app path=/load", workers: 3, clock, stop.Token);
            var loadB = ClusterHarness.RunLoadAsync(throughB, "laptop-app path=/load", workers: 3, clock, stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(2)); // steady load before the blip

            var killedAt = clock.Elapsed;
            // One kill(1) for all of them: SIGKILL within microseconds of each other.
            var kill = await ExternalProcess.RunAsync("kill", ["-9", .. fleet.Select(ssh => ssh.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))], Timeout);
            Assert.Equal(0, kill.ExitCode);
            var goneAt = clock.Elapsed;
            var converged = new List<TimeSpan>();
            foreach (var member in new[] { a, b })
            {
                var (one, json) = await member.WaitForStatusAsync(s => Member.EndpointCount(s) == 1, Timeout);
                Assert.True(one, $"{member.Node} must list only the surviving endpoint: {json}");
                converged.Add(clock.Elapsed - killedAt);
            }
            await Task.Delay(TimeSpan.FromSeconds(2)); // load on the survivor alone
            await stop.CancelAsync();
            var samples = (await loadA).Concat(await loadB).ToList();

            var after = samples.Where(s => s.Start >= goneAt).ToList();
            var inFlight = samples.Where(s => s.Start < goneAt && s.End > killedAt).ToList();
            _output.WriteLine($"kill of {Fleet} clients took {(goneAt - killedAt).TotalMilliseconds:0} ms; replicas listed only the survivor after {string.Join(" / ", converged.Select(c => $"{c.TotalMilliseconds:0} ms"))}");
            _output.WriteLine($"requests in flight at the kill: {inFlight.Count} ({inFlight.Count(s => !s.Ok)} failed); started after: {after.Count} ({after.Count(s => !s.Ok)} failed)");
            foreach (var failure in samples.Where(s => !s.Ok).Take(10))
                _output.WriteLine($"  failed at +{(failure.Start - killedAt).TotalMilliseconds:0} ms: {string.Join(" ", failure.Detail.Split('\n').Where(l => l.Contains("<p>", StringComparison.Ordinal)))}");

            Assert.True(samples.Where(s => s.End < killedAt).All(s => s.Ok), "load before the kill must succeed");
            // A request that starts once the clients are dead never pays for them: every one finds
            // the surviving tunnel (gone endpoints are skipped, not counted as failures).
            Assert.True(after.Count > 20, $"load must run after the kill ({after.Count} requests)");
            var failedAfter = after.Where(s => !s.Ok).Take(5).ToList();
            Assert.True(failedAfter.Count == 0, "requests started after the kill failed: " + string.Join("; ", failedAfter.Select(s => s.Detail)) +
                "\nnode log lines of those requests:\n" + string.Join("\n", failedAfter.SelectMany(s => LogLinesOf(s.Detail, a, b))));
        }
        finally
        {
            foreach (var ssh in fleet) await ssh.DisposeAsync();
        }
    }
}
