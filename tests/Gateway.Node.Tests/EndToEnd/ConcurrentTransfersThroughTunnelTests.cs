using System.Security.Cryptography;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// Both directions and many channels at once through one <c>ssh -N -R 0</c>: several downloads
/// of different pseudo-random files in parallel (each its own forwarded-tcpip channel) keep their
/// checksums, and a large upload (curl -T to nginx's PUT) arrives byte for byte.
/// </summary>
public sealed class ConcurrentTransfersThroughTunnelTests : IAsyncLifetime
{
    private const string Host = "transfers.example.com";
    private const long MiB = 1024 * 1024;
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private NginxUpstream _nginx = null!;
    private TunnelScenario _scenario = null!;

    public ConcurrentTransfersThroughTunnelTests(ITestOutputHelper output) => _output = output;

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
    public async Task Parallel_downloads_share_the_tunnel_without_mixing_bytes()
    {
        const int Count = 4;
        var expected = new string[Count];
        for (var i = 0; i < Count; i++)
            expected[i] = await PseudoRandomFile.WriteAsync(Path.Combine(_nginx.Root, $"part{i}.bin"), 24 * MiB, seed: (byte)(10 + i));
        await _scenario.ConnectAsync("alice", Host);

        var results = await Task.WhenAll(Enumerable.Range(0, Count).Select(i =>
            StreamingCurl.DownloadAsync(_scenario.Node, Host, $"/part{i}.bin", _dir.File($"headers{i}.txt"), TimeSpan.FromMinutes(3))));

        for (var i = 0; i < Count; i++)
        {
            _output.WriteLine($"part{i}: {results[i].Bytes} bytes in {results[i].Elapsed.TotalSeconds:F1} s, {results[i].MegabytesPerSecond:F1} MB/s");
            Assert.True(results[i].ExitCode == 0, $"curl exit {results[i].ExitCode}: {results[i].Stderr}");
            Assert.Equal(24 * MiB, results[i].Bytes);
            Assert.Equal(expected[i], results[i].Sha256);
        }
        // Separate curls are separate downstream connections, so separate upstream connections.
        Assert.True(_nginx.AccessLog().Where(e => e.Uri.StartsWith("/part", StringComparison.Ordinal)).Select(e => e.Connection).Distinct().Count() >= 2);
    }

    [Fact]
    public async Task Upload_of_64_MiB_arrives_intact()
    {
        var source = _dir.File("upload.bin");
        var expected = await PseudoRandomFile.WriteAsync(source, 64 * MiB, seed: 42);
        await _scenario.ConnectAsync("alice", Host, "/missing");

        var result = await Curl.GetAsync(_scenario.Node, Host, "/upload/blob.bin", "-T", source, "-o", "/dev/null");
        Assert.True(result.ExitCode == 0, $"curl exit {result.ExitCode}: {result.Stderr}");
        Assert.Equal(201, Curl.Parse(result).Status);

        var stored = Path.Combine(_nginx.Root, "upload", "blob.bin");
        Assert.Equal(64 * MiB, new FileInfo(stored).Length);
        await using var file = File.OpenRead(stored);
        Assert.Equal(expected, Convert.ToHexStringLower(await SHA256.HashDataAsync(file)));
    }
}
