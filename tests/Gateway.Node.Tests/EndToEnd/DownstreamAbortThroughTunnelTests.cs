using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// The other side giving up: downstream clients that abandon large downloads mid-way must not
/// hurt the tunnel. After several aborted downloads the same ssh session still carries a full
/// download intact and the node and ssh are both still running.
/// </summary>
public sealed class DownstreamAbortThroughTunnelTests : IAsyncLifetime
{
    private const string Host = "aborts.example.com";
    private const long MiB = 1024 * 1024;
    private readonly TempDirectory _dir = new();
    private NginxUpstream _nginx = null!;
    private TunnelScenario _scenario = null!;

    public async Task InitializeAsync()
    {
        _nginx = await NginxUpstream.StartAsync(_dir);
        _scenario = await TunnelScenario.StartAsync(_dir, new ScenarioRoute(Host, _nginx.Url));
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _nginx.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Abandoned_downloads_leave_the_tunnel_serving()
    {
        var expected = await PseudoRandomFile.WriteAsync(Path.Combine(_nginx.Root, "big.bin"), 256 * MiB, seed: 7);
        var ssh = await _scenario.ConnectAsync("alice", Host, "/missing");

        for (var i = 0; i < 5; i++)
        {
            // A few MiB in, the test stops reading and curl is killed (the reader's finally).
            await Assert.ThrowsAsync<AbandonedException>(() => StreamingCurl.DownloadAsync(_scenario.Node, Host, "/big.bin", _dir.File($"h{i}.txt"),
                TimeSpan.FromSeconds(60), bytes => bytes > 4 * MiB ? throw new AbandonedException() : Task.CompletedTask));
        }

        var full = await StreamingCurl.DownloadAsync(_scenario.Node, Host, "/big.bin", _dir.File("full.txt"), TimeSpan.FromMinutes(3));
        Assert.True(full.ExitCode == 0, $"curl exit {full.ExitCode}: {full.Stderr}");
        Assert.Equal(256 * MiB, full.Bytes);
        Assert.Equal(expected, full.Sha256);
        Assert.False(ssh.HasExited, "ssh is still connected:\n" + ssh.Stderr);
        Assert.False(_scenario.Node.HasExited);

        // nginx logs a request when it ends: every abandoned one ended, i.e. the node closed its
        // channel and ssh its connection to nginx, rather than leaving nginx blocked sending.
        var deadline = DateTime.UtcNow + TunnelScenario.Timeout;
        while (_nginx.AccessLog().Count(e => e.Uri == "/big.bin") < 6 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        var log = _nginx.AccessLog().Where(e => e.Uri == "/big.bin").ToList();
        Assert.Equal(6, log.Count);
        Assert.Equal(5, log.Count(e => e.Bytes < 256 * MiB));
    }

    private sealed class AbandonedException : Exception;
}
