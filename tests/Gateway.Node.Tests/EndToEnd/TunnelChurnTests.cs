using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// Tunnel churn under load: one steady <c>ssh -R 0</c> client and a second one that is killed
/// (SIGTERM and SIGKILL in turn) and started again every few seconds, while <c>wrk</c> keeps 32
/// connections busy with GETs through the node to nginx. Requests in flight on the dying tunnel
/// are sent again on the steady one, so not one GET fails; the retry counter in <c>/status</c>
/// shows the retries happened. A POST that reached the dying tunnel is never sent again: its
/// client gets 502.
/// </summary>
public sealed partial class TunnelChurnTests : IAsyncLifetime
{
    private const string Host = "churn.example.com";
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private NginxUpstream _nginx = null!;

    public TunnelChurnTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _nginx = await NginxUpstream.StartAsync(_dir);
        await File.WriteAllBytesAsync(Path.Combine(_nginx.Root, "1k.bin"), new byte[1024]);
    }

    public async Task DisposeAsync()
    {
        await _nginx.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Gets_never_fail_while_a_second_tunnel_reconnects_every_few_seconds()
    {
        var round = await ChurnRoundsAsync(rounds: 1, roundSeconds: 24, reconnectEvery: TimeSpan.FromSeconds(2));
        Assert.True(round.Requests > 1000, $"too little load to mean anything: {round}");
    }

    /// <summary>The issue's run: 5 rounds of 30 s, the second client reconnecting every 5 s (about 3 minutes).</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Soak_five_rounds_of_30_s_with_a_tunnel_reconnecting_every_5_s()
        => await ChurnRoundsAsync(rounds: 5, roundSeconds: 30, reconnectEvery: TimeSpan.FromSeconds(5));

    private async Task<WrkResult> ChurnRoundsAsync(int rounds, int roundSeconds, TimeSpan reconnectEvery)
    {
        var statusPort = Gateway.Testing.LoopbackPorts.Reserve();
        await using var scenario = await TunnelScenario.StartAsync(_dir, statusPort, new ScenarioRoute(Host, _nginx.Url));
        await scenario.ConnectAsync("alice", Host, "/1k.bin");

        var total = new WrkResult(0, 0, 0, "");
        var kills = 0;
        for (var round = 1; round <= rounds; round++)
        {
            var port = scenario.Node.HttpsPort.ToString(CultureInfo.InvariantCulture);
            var wrkTask = ExternalProcess.RunAsync("wrk", ["-t", "2", "-c", "32", "-d", $"{roundSeconds}s", "--timeout", "10s",
                "-H", $"Host: {Host}", $"https://127.0.0.1:{port}/1k.bin"], TimeSpan.FromSeconds(roundSeconds + 60));
            var graceful = true;
            while (!wrkTask.IsCompleted)
            {
                var flaky = await scenario.StartTunnelAsync("alice", "-N", "-v", "-R", "0");
                await Task.WhenAny(wrkTask, Task.Delay(reconnectEvery));
                // kill (SIGTERM: ssh exits at once, closing its socket) and kill -9 in turn.
                var kill = await ExternalProcess.RunAsync("kill", [graceful ? "-TERM" : "-KILL", flaky.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
                Assert.Equal(0, kill.ExitCode);
                Assert.True(await flaky.WaitForExitAsync(TimeSpan.FromSeconds(10)), "ssh did not exit after kill");
                graceful = !graceful;
                kills++;
            }
            var wrk = await wrkTask;
            var result = WrkResult.Parse(wrk.Stdout + wrk.Stderr);
            _output.WriteLine($"round {round}: {result}");
            total = total.Add(result);
        }

        var (_, status) = await scenario.Node.GetStatusAsync("/status");
        using var doc = JsonDocument.Parse(status);
        var proxy = doc.RootElement.GetProperty("proxy");
        var attempted = proxy.GetProperty("retries_attempted").GetInt64();
        var succeeded = proxy.GetProperty("retries_succeeded").GetInt64();
        var failures = FailureLine().Matches(scenario.Node.Log).Select(m => m.Value).ToList();
        _output.WriteLine($"total over {rounds} x {roundSeconds} s, {kills} reconnects: {total}; retries attempted {attempted}, succeeded {succeeded}; " +
            $"node failure lines: {failures.Count}");
        foreach (var line in failures.Take(20)) _output.WriteLine("  " + line);

        Assert.True(total.Failed == 0, $"failed requests: {total}\n{string.Join("\n", failures.Take(20))}");
        Assert.Empty(failures);
        Assert.True(attempted > 0, "no request was retried: the churn did not hit any request in flight");
        Assert.Equal(attempted, succeeded);
        return total;
    }

    [Fact]
    public async Task A_post_in_flight_on_a_tunnel_that_dies_gets_502_and_is_not_sent_again()
    {
        const string post = "post.example.com";
        await using var steadyApp = await HoldingUpstream.StartAsync("steady");
        await using var flakyApp = await HoldingUpstream.StartAsync("flaky");
        await using var scenario = await TunnelScenario.StartAsync(_dir, Gateway.Testing.LoopbackPorts.Reserve(), new ScenarioRoute(post, "http://127.0.0.1:9"));
        await scenario.StartTunnelAsync("alice", "-N", "-v", "-R", $"{post}:443:127.0.0.1:{steadyApp.Port}");
        var flaky = await scenario.StartTunnelAsync("alice", "-N", "-v", "-R", $"{post}:443:127.0.0.1:{flakyApp.Port}");

        var trust = new NodeTrust(scenario.Node);
        using var client = new HttpClient(trust.CreateHandler()) { Timeout = TimeSpan.FromSeconds(60) };
        // Both endpoints serving (the proxy's view follows their registration shortly).
        var deadline = DateTime.UtcNow + TunnelScenario.Timeout;
        for (var i = 0; !(steadyApp.Seen.Count > 0 && flakyApp.Seen.Count > 0); i++)
        {
            Assert.True(DateTime.UtcNow < deadline, "both tunnels never served the route");
            using var warm = await client.GetAsync(trust.Url("https", post, $"/warm/{i}"));
        }

        const int inFlight = 8;
        var posts = Enumerable.Range(0, inFlight)
            .Select(i => client.PostAsync(trust.Url("https", post, $"/hold/{i}"), new StringContent($"payload {i}")))
            .ToList();
        deadline = DateTime.UtcNow + TunnelScenario.Timeout;
        while (steadyApp.Held + flakyApp.Held < inFlight)
        {
            Assert.True(DateTime.UtcNow < deadline, $"not every POST reached an upstream: {steadyApp.Held} + {flakyApp.Held}");
            await Task.Delay(20);
        }
        var onFlaky = flakyApp.Held;
        Assert.True(onFlaky > 0 && onFlaky < inFlight, $"round robin put {onFlaky} of {inFlight} POSTs on the second tunnel");

        var kill = await ExternalProcess.RunAsync("kill", ["-KILL", flaky.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        Assert.Equal(0, kill.ExitCode);
        Assert.True(await flaky.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var (gone, json) = await scenario.Node.WaitForStatusAsync(
            s => s.GetProperty("routes")[0].GetProperty("endpoints").GetArrayLength() == 1, TunnelScenario.Timeout);
        Assert.True(gone, json);
        // POSTs sent after the tunnel died, while the proxy's view may still list it for a moment
        // and its pool holds connections over it: none of them reaches it, all succeed.
        var after = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            client.PostAsync(trust.Url("https", post, $"/after/{i}"), new StringContent($"late {i}"))));
        steadyApp.Release();
        var replies = await Task.WhenAll(posts);

        var statuses = replies.Select(r => (int)r.StatusCode).ToList();
        _output.WriteLine($"held on the dying tunnel: {onFlaky}; in-flight statuses: {string.Join(",", statuses)}; later: {string.Join(",", after.Select(r => (int)r.StatusCode))}");
        Assert.Equal(onFlaky, statuses.Count(s => s == 502));
        Assert.Equal(inFlight - onFlaky, statuses.Count(s => s == 200));
        // Each POST arrived exactly once, at exactly one upstream: none was sent again.
        for (var i = 0; i < inFlight; i++)
            Assert.Equal(1, steadyApp.Seen.GetValueOrDefault($"/hold/{i}") + flakyApp.Seen.GetValueOrDefault($"/hold/{i}"));
        Assert.All(after, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        for (var i = 0; i < 20; i++)
            Assert.Equal(1, steadyApp.Seen.GetValueOrDefault($"/after/{i}"));
        foreach (var reply in replies.Concat(after)) reply.Dispose();
    }

    [GeneratedRegex(@"route \S+: request \S+: .* -> 5\d\d.*")]
    private static partial Regex FailureLine();

    /// <summary>What wrk printed: requests completed, non-2xx/3xx answers, socket errors.</summary>
    private sealed partial record WrkResult(long Requests, long Non2xx, long SocketErrors, string Raw)
    {
        public long Failed => Non2xx + SocketErrors;

        public WrkResult Add(WrkResult other) => new(Requests + other.Requests, Non2xx + other.Non2xx, SocketErrors + other.SocketErrors, Raw + other.Raw);

        public static WrkResult Parse(string output)
        {
            var requests = RequestsLine().Match(output);
            if (!requests.Success) throw new InvalidOperationException("wrk printed no summary:\n" + output);
            var non2xx = Non2xxLine().Match(output);
            var errors = SocketErrorLine().Match(output);
            long errorSum = errors.Success ? Enumerable.Range(1, 4).Sum(g => long.Parse(errors.Groups[g].Value, CultureInfo.InvariantCulture)) : 0;
            return new WrkResult(long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture),
                non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0, errorSum, output);
        }

        public override string ToString() => $"{Requests} requests, {Non2xx} non-2xx/3xx, {SocketErrors} socket errors";

        [GeneratedRegex(@"(\d+) requests in")]
        private static partial Regex RequestsLine();

        [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
        private static partial Regex Non2xxLine();

        [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
        private static partial Regex SocketErrorLine();
    }
}
