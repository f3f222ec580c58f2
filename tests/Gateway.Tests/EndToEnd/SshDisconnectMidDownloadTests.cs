using System.Globalization;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Gateway.Tests.EndToEnd;

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
    public async Task Killing_ssh_mid_download_fails_the_download_and_the_node_keeps_serving()
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
            });
        _output.WriteLine($"curl exit {result.ExitCode} after {result.Bytes} of {result.ContentLength} bytes in {result.Elapsed.TotalSeconds:F1} s: {result.Stderr.Trim()}");

        Assert.True(killed, $"the download ended before the kill: {result.Bytes} bytes, exit {result.ExitCode}");
        Assert.Equal(200, result.Status);
        Assert.Equal(Size, result.ContentLength);
        Assert.True(result.Bytes < Size, "a truncated transfer must not be complete");
        // 18: transfer closed with outstanding data; 56: failure receiving network data.
        Assert.Contains(result.ExitCode, new[] { 18, 56 });

        // Bob's tunnel is untouched: served straight away, no retry needed.
        var (body, status) = Curl.Parse(await Curl.GetAsync(_scenario.Node, Other, "/after"));
        Assert.Equal(200, status);
        Assert.Equal($"bob-app host={Other}:{_scenario.Node.HttpsPort} path=/after", body);
        Assert.False(_scenario.Node.HasExited);

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
