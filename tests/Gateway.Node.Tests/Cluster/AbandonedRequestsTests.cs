using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;
using Xunit.Abstractions;
using Member = Gateway.Node.Tests.Cluster.ClusterHarness.Member;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// 1,000 requests given up by their clients at random moments (before the channel opens, during
/// SOCKS, waiting for the headers, mid-response), through the node holding the tunnel and through
/// another node (relayed): nothing is left behind. Every channel, relay connection (both sides)
/// and downstream connection actor ends, and the <c>/status</c> counters come back to where they
/// started; the OpenSSH client frees every channel.
/// </summary>
public sealed class AbandonedRequestsTests : IAsyncLifetime
{
    private const int Requests = 1000;
    private const int Concurrency = 40;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly ITestOutputHelper _output;
    private SlowUpstream _upstream = null!;
    private TunnelClient _alice = null!;

    public AbandonedRequestsTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _upstream = await SlowUpstream.StartAsync();
        _alice = await TunnelClient.CreateAsync(_dir, "alice");
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    private static readonly string[] Counters = ["channels_opening", "channels_open", "relay_connections_out", "relay_connections_in", "downstream_connection_actors"];

    private static string DataPath(JsonElement status)
        => string.Join(", ", Counters.Select(c => $"{c}={status.GetProperty("data_path").GetProperty(c).GetInt64()}"));

    private static bool AllZero(JsonElement status) => Counters.All(c => status.GetProperty("data_path").GetProperty(c).GetInt64() == 0);

    [Fact]
    public async Task A_thousand_requests_abandoned_at_random_points_leave_no_channel_relay_connection_or_actor_behind()
    {
        var a = await ClusterHarness.StartNodeAsync(_dir, ClusterHarness.Routes(_alice, _upstream.Url));
        _owned.Add(a.Node);
        var b = await ClusterHarness.StartNodeAsync(_dir, ClusterHarness.Routes(_alice, _upstream.Url), a.ClusterPort);
        _owned.Add(b.Node);
        foreach (var member in new[] { a, b })
            Assert.True((await member.WaitForStatusAsync(s => Member.UpMembers(s) == 2, Timeout)).Ok);
        await using var ssh = _alice.Connect(b.Node, ["-N", "-v", "-R", "0"]);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        Assert.Equal(200, (await ClusterHarness.GetUntilOkAsync(a.Node, "/?delay=0&chunks=1", Timeout)).Status);

        // The starting point: nothing open (the probe's pooled channel idles out after 5 s).
        foreach (var member in new[] { a, b })
        {
            var (idle, json) = await member.WaitForStatusAsync(AllZero, Timeout);
            Assert.True(idle, $"{member.Node}: data path not idle before the run: {json}");
        }

        using var throughA = ClusterHarness.ClientFor(a.Node);
        using var throughB = ClusterHarness.ClientFor(b.Node);
        var random = new Random(15);
        // A third each: given up after a random time (before the channel opens, during SOCKS or
        // later), given up as soon as the headers arrive, given up after the first body bytes;
        // the last two do not depend on how fast the machine is.
        var plan = Enumerable.Range(0, Requests).Select(i => (Client: i % 2 == 0 ? throughA : throughB, Point: (AbandonPoint)(i % 3), AbandonAfter: random.Next(0, 400), Delay: random.Next(0, 150))).ToList();
        var outcomes = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(Concurrency);
        await Task.WhenAll(plan.Select(async p =>
        {
            await gate.WaitAsync();
            try
            {
                var outcome = await AbandonAsync(p.Client, $"/?delay={p.Delay}&chunks=20", p.Point, p.AbandonAfter);
                lock (outcomes) outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
            finally
            {
                gate.Release();
            }
        })).WaitAsync(TimeSpan.FromMinutes(3));
        var took = clock.Elapsed;
        _output.WriteLine($"{Requests} requests in {took.TotalSeconds:0.0} s: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}");
        Assert.True(outcomes.GetValueOrDefault("abandoned before the headers") > 50, "requests must be given up before their headers");
        Assert.True(outcomes.GetValueOrDefault("abandoned mid-response") > 50, "requests must be given up mid-response");

        // Back to where it started: the abandoned ones at once, the completed ones' pooled channels after their 5 s idle time.
        foreach (var member in new[] { a, b })
        {
            var (idle, json) = await member.WaitForStatusAsync(AllZero, TimeSpan.FromSeconds(30));
            using var doc = JsonDocument.Parse(json.StartsWith('{') ? json : "{}");
            Assert.True(idle, $"{member.Node}: data path not back to idle after the run: {(doc.RootElement.TryGetProperty("data_path", out _) ? DataPath(doc.RootElement) : json)}");
        }
        Assert.True(await ssh.WaitForStderrAsync(s => SshChannelLog.Open(s) == 0, TimeSpan.FromSeconds(10)),
            $"ssh: channels created {SshChannelLog.Created(ssh.Stderr)}, freed {SshChannelLog.Freed(ssh.Stderr)}");
        _output.WriteLine($"ssh: channels created {SshChannelLog.Created(ssh.Stderr)}, all freed");
        using var times = JsonDocument.Parse((await a.GetStatusAsync("/status")).Body);
        _output.WriteLine("A's relayed open times: " + times.RootElement.GetProperty("data_path").GetProperty("open_times_relayed"));
        using var local = JsonDocument.Parse((await b.GetStatusAsync("/status")).Body);
        _output.WriteLine("B's local open times: " + local.RootElement.GetProperty("data_path").GetProperty("open_times_local"));
    }

    private enum AbandonPoint
    {
        AfterRandomTime,
        AtTheHeaders,
        AfterTheFirstBytes,
    }

    /// <summary>Sends a GET and gives up at <paramref name="point"/> (or after <paramref name="abandonAfterMs"/>); says where it was at that moment.</summary>
    private static async Task<string> AbandonAsync(HttpClient client, string path, AbandonPoint point, int abandonAfterMs)
    {
        using var abandon = point == AbandonPoint.AfterRandomTime ? new CancellationTokenSource(abandonAfterMs) : new CancellationTokenSource(Timeout);
        var headers = false;
        try
        {
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, abandon.Token);
            headers = true;
            if (response.StatusCode != HttpStatusCode.OK) return $"answered {(int)response.StatusCode}";
            if (point == AbandonPoint.AtTheHeaders) return "abandoned mid-response";
            await using var body = await response.Content.ReadAsStreamAsync(abandon.Token);
            var buffer = new byte[8192];
            var first = true;
            while (await body.ReadAsync(buffer, abandon.Token) > 0)
            {
                if (first && point == AbandonPoint.AfterTheFirstBytes) return "abandoned mid-response";
                first = false;
            }
            return "completed";
        }
        catch (OperationCanceledException)
        {
            return headers ? "abandoned mid-response" : "abandoned before the headers";
        }
        catch (HttpRequestException ex)
        {
            return "failed: " + ex.Message;
        }
        catch (IOException ex)
        {
            return "failed: " + ex.Message;
        }
    }
}
