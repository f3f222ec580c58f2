using System.Globalization;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// The SSH client dying mid-download: alice's <c>ssh -R 0</c> serves a large nginx file, bob's
/// serves another route. Killing alice's ssh with SIGKILL while curl is downloading must end the
/// download with an error (fewer bytes than Content-Length, non-zero curl exit, never a short
/// response that looks complete), and the node must go on serving bob's route at once and
/// alice's again once she reconnects.
/// </summary>
public sealed class SshDisconnectMidDownloadTests : IAsyncLifetime
{
    private const string Download = "download.example.com";
    private const string Other = "other.example.com";
    private const long Size = 1024L * 1024 * 1024;
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private NginxUpstream _nginx = null!;
    private NamedUpstream _bobApp = null!;
    private TunnelScenario _scenario = null!;

    public SshDisconnectMidDownloadTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _nginx = await NginxUpstream.StartAsync(_dir);
        // Zeros suffice here (no checksum): a sparse file costs no time or disk.
        await using (var file = File.Create(Path.Combine(_nginx.Root, "big.bin")))
            file.SetLength(Size);
        await File.WriteAllTextAsync(Path.Combine(_nginx.Root, "small.txt"), "still here");
        _bobApp = await NamedUpstream.StartAsync("bob-app");
        _scenario = await TunnelScenario.StartAsync(_dir,
            new ScenarioRoute(Download, _nginx.Url, Owner: "alice", Extra: "timeout = \"0s\""),
            new ScenarioRoute(Other, _bobApp.Url, Owner: "bob"));
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _bobApp.DisposeAsync();
        await _nginx.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public Task Killing_ssh_mid_download_fails_the_download_and_the_node_keeps_serving()
        // 18: transfer closed with outstanding data; 56: failure receiving network data (the node resets the connection).
        => KillMidDownloadAsync([], "HTTP/1.1", [18, 56]);

    [Fact]
    public Task Killing_ssh_mid_download_over_http2_fails_the_stream_and_the_node_keeps_serving()
        // 92: HTTP/2 stream not closed cleanly (reset by the node); 18/56 as over HTTP/1.1.
        => KillMidDownloadAsync(["--http2"], "HTTP/2", [18, 56, 92]);

    private async Task KillMidDownloadAsync(string[] curlFlags, string protocol, int[] acceptedExitCodes)
    {
        var alice = await _scenario.ConnectAsync("alice", Download, "/small.txt");
        await _scenario.ConnectAsync("bob", Other);

        var killed = false;
        var result = await StreamingCurl.DownloadAsync(_scenario.Node, Download, "/big.bin", _dir.File("headers.txt"), TimeSpan.FromSeconds(120),
            async bytes =>
            {
                if (killed || bytes < 32L * 1024 * 1024) return;
                killed = true;
                var kill = await ExternalProcess.RunAsync("kill", ["-9", alice.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
                Assert.Equal(0, kill.ExitCode);
            }, curlFlags);
        _output.WriteLine($"{protocol}: curl exit {result.ExitCode} after {result.Bytes} of {result.ContentLength} bytes in {result.Elapsed.TotalSeconds:F1} s: {result.Stderr.Trim()}");

        Assert.True(killed, $"the download ended before the kill: {result.Bytes} bytes, exit {result.ExitCode}");
        Assert.Equal(protocol, result.Protocol);
        Assert.Equal(200, result.Status);
        Assert.Equal(Size, result.ContentLength);
        Assert.True(result.Bytes < Size, "a truncated transfer must not be complete");
        Assert.Contains(result.ExitCode, acceptedExitCodes);

        // Bob's tunnel is untouched: served straight away, no retry needed.
        var (body, status) = Curl.Parse(await Curl.GetAsync(_scenario.Node, Other, "/after"));
        Assert.Equal(200, status);
        Assert.Equal($"bob-app host={Other}:{_scenario.Node.HttpsPort} path=/after", body);
        Assert.False(_scenario.Node.HasExited);

        // Alice's dead session no longer counts as an endpoint: her route says so (503) instead
        // of failing to dial a tunnel that is gone.
        var goneBy = DateTime.UtcNow + TunnelScenario.Timeout;
        (string Body, int Status) gone;
        do gone = Curl.Parse(await Curl.GetAsync(_scenario.Node, Download, "/small.txt"));
        while (gone.Status != 503 && DateTime.UtcNow < goneBy && await Delay());
        Assert.Equal(503, gone.Status);
        Assert.Contains(Download, gone.Body);

        // Alice reconnects and her route works again (the node may still be dropping the dead
        // session's endpoint for a moment, so a bounded number of attempts).
        await _scenario.ConnectAsync("alice", Download, "/small.txt");
        var deadline = DateTime.UtcNow + TunnelScenario.Timeout;
        (string Body, int Status) again;
        do again = Curl.Parse(await Curl.GetAsync(_scenario.Node, Download, "/small.txt"));
        while (again.Status != 200 && DateTime.UtcNow < deadline && await Delay());
        Assert.Equal(("still here", 200), again);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }
}
