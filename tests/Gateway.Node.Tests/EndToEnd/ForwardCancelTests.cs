using System.Diagnostics;
using System.Net;
using System.Net.Http;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// A graceful end of one forward (<c>ssh -O cancel -R</c> through an OpenSSH ControlMaster) while
/// a request is in flight on it and a second client serves the same route: the endpoint leaves
/// <c>/status</c> at once, new requests go only to the other client (no 502, no 503), and the
/// request in flight on the cancelled forward completes.
/// </summary>
public sealed class ForwardCancelTests : IAsyncLifetime
{
    private const string Host = "cancel-live.example.com";
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;

    public ForwardCancelTests(ITestOutputHelper output) => _output = output;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Cancelled_forward_leaves_status_at_once_takes_no_new_request_and_finishes_the_one_in_flight()
    {
        await using var holding = await HoldingUpstream.StartAsync("cancelled");
        await using var other = await NamedUpstream.StartAsync("other");
        await using var scenario = await TunnelScenario.StartAsync(_dir, LoopbackPorts.Reserve(), new ScenarioRoute(Host, "http://127.0.0.1:9"));
        await scenario.StartTunnelAsync("alice", "-N", "-v", "-R", $"{Host}:443:127.0.0.1:{other.Port}");
        var control = Path.Combine(_dir.Path, "ctl");
        var forward = $"{Host}:443:127.0.0.1:{holding.Port}";
        var master = await scenario.StartTunnelAsync("alice", "-M", "-S", control, "-N", "-v", "-R", forward);

        var trust = new NodeTrust(scenario.Node);
        using var client = new HttpClient(trust.CreateHandler()) { Timeout = TimeSpan.FromSeconds(60) };
        var (both, json) = await scenario.Node.WaitForStatusAsync(s => Endpoints(s) == 2, TunnelScenario.Timeout);
        Assert.True(both, json);

        // A request held by the service behind the forward that is about to be cancelled.
        var deadline = DateTime.UtcNow + TunnelScenario.Timeout;
        Task<HttpResponseMessage>? inFlight = null;
        for (var i = 0; inFlight is null; i++)
        {
            Assert.True(DateTime.UtcNow < deadline, "no request reached the forward to cancel");
            var request = client.GetAsync(trust.Url("https", Host, $"/hold/{i}"));
            await Task.WhenAny(request, WaitUntilAsync(() => holding.Held > 0, TimeSpan.FromSeconds(5)));
            if (holding.Held > 0) inFlight = request;
            else (await request).Dispose(); // round robin sent it to the other client, which answered
        }

        var clock = Stopwatch.StartNew();
        var cancel = await scenario.StartCancelAsync("alice", control, forward);
        Assert.True(cancel.ExitCode == 0, $"ssh -O cancel failed: {cancel.Stderr}");
        var (gone, after) = await scenario.Node.WaitForStatusAsync(s => Endpoints(s) == 1, TimeSpan.FromSeconds(1));
        _output.WriteLine($"endpoint gone from /status {clock.ElapsedMilliseconds} ms after ssh -O cancel started");
        Assert.True(gone, "the cancelled endpoint is still listed a second after the cancel: " + after);

        var seenBefore = holding.Seen.Count;
        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.GetAsync(trust.Url("https", Host, $"/after/{i}"))));
        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var reply in replies)
            Assert.StartsWith("other ", await reply.Content.ReadAsStringAsync());
        Assert.Equal(seenBefore, holding.Seen.Count);

        Assert.False(inFlight.IsCompleted, "the request in flight on the cancelled forward ended before its service answered");
        holding.Release();
        using var finished = await inFlight;
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.StartsWith("cancelled GET /hold/", await finished.Content.ReadAsStringAsync());
        Assert.False(master.HasExited, "the master connection stays up after the cancel");
        foreach (var reply in replies) reply.Dispose();
    }

    private static int Endpoints(System.Text.Json.JsonElement status) => status.GetProperty("routes")[0].GetProperty("endpoints").GetArrayLength();

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20);
    }
}
