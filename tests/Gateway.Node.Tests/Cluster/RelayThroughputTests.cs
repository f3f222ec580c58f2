using System.Globalization;
using System.Security.Cryptography;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Support;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// Bulk bytes through a tunnel held by another node (relay) against the same-node path, in one
/// run: curl uploads a file (the upstream answers its SHA-256) and downloads a generated body
/// (compared with the expected hash). Reports the rates and their ratio; asserts the bytes and a
/// floor far below the 0.8x goal (the machine is shared with other builds, so only a gross
/// regression should fail it).
/// </summary>
[Trait("Category", "Slow")]
public sealed class RelayThroughputTests : IAsyncLifetime
{
    private const int Size = 32 * 1024 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly ITestOutputHelper _output;
    private EchoUpstream _upstream = null!;

    public RelayThroughputTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync() => _upstream = await EchoUpstream.StartAsync("bulk");

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Relayed_bulk_transfers_keep_the_bytes_and_a_reasonable_share_of_same_node_throughput()
    {
        var alice = await TunnelClient.CreateAsync(_dir, "alice");
        var routes = ClusterHarness.Routes(alice, _upstream.Url);
        var a = await ClusterHarness.StartNodeAsync(_dir, routes);
        _owned.Add(a.Node);
        var b = await ClusterHarness.StartNodeAsync(_dir, routes, a.ClusterPort);
        _owned.Add(b.Node);
        var ssh = alice.Connect(b.Node, ["-N", "-v", "-R", "0"]);
        _owned.Add(ssh);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        Assert.Equal(200, (await ClusterHarness.GetUntilOkAsync(a.Node, "/ready", Timeout)).Status);

        var payload = RandomNumberGenerator.GetBytes(Size);
        var input = Path.Combine(_dir.Path, "bulk.bin");
        await File.WriteAllBytesAsync(input, payload);
        var uploadHash = Convert.ToHexStringLower(SHA256.HashData(payload));
        var downloadHash = SHA256.HashData(Enumerable.Range(0, Size / EchoUpstream.Pattern.Length).SelectMany(_ => EchoUpstream.Pattern).ToArray());

        var rates = new Dictionary<string, List<double>> { ["up same-node"] = [], ["up relayed"] = [], ["down same-node"] = [], ["down relayed"] = [] };
        for (var round = 0; round < 3; round++)
        {
            rates["up same-node"].Add(await UploadAsync(b.Node, input, uploadHash));
            rates["up relayed"].Add(await UploadAsync(a.Node, input, uploadHash));
            rates["down same-node"].Add(await DownloadAsync(b.Node, downloadHash));
            rates["down relayed"].Add(await DownloadAsync(a.Node, downloadHash));
        }
        foreach (var (name, list) in rates)
            _output.WriteLine($"{name}: {string.Join(", ", list.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))} MB/s");
        var up = rates["up relayed"].Max() / rates["up same-node"].Max();
        var down = rates["down relayed"].Max() / rates["down same-node"].Max();
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best relayed / best same-node: up {up:0.00}, down {down:0.00}"));
        Assert.True(up > 0.3 && down > 0.3, $"relayed throughput is {up:0.00}x (up) and {down:0.00}x (down) the same-node path");
    }

    private async Task<double> UploadAsync(GatewayNodeProcess node, string input, string expectedHash)
    {
        var (body, seconds) = await CurlAsync(node, "/sha256", ["-H", "Content-Type: application/octet-stream", "-H", "Expect:", "--data-binary", "@" + input]);
        Assert.Equal(expectedHash, await File.ReadAllTextAsync(body));
        File.Delete(body);
        return Size / (1024.0 * 1024) / seconds;
    }

    private async Task<double> DownloadAsync(GatewayNodeProcess node, byte[] expectedHash)
    {
        var (body, seconds) = await CurlAsync(node, $"/bytes/{Size}", []);
        var received = await File.ReadAllBytesAsync(body);
        File.Delete(body);
        Assert.Equal(Size, received.Length);
        Assert.Equal(expectedHash, SHA256.HashData(received));
        return Size / (1024.0 * 1024) / seconds;
    }

    /// <summary>Runs curl writing the body to a file; returns the file and the transfer time.</summary>
    private async Task<(string Body, double Seconds)> CurlAsync(GatewayNodeProcess node, string path, string[] extra)
    {
        var output = Path.Combine(_dir.Path, $"out-{Guid.NewGuid():N}.bin");
        var port = node.HttpsPort.ToString(CultureInfo.InvariantCulture);
        var result = await ExternalProcess.RunAsync("curl", [.. new[] { "-sS", "--max-time", "120", "--cacert", node.CaPath,
            "--resolve", $"{ClusterHarness.RouteHost}:{port}:127.0.0.1", "-o", output, "-w", "%{http_code} %{time_total}" }, .. extra,
            $"https://{ClusterHarness.RouteHost}:{port}{path}"], TimeSpan.FromSeconds(150));
        var parts = result.Stdout.Trim().Split(' ');
        Assert.True(parts.Length == 2 && parts[0] == "200", $"{node} {path}: {result.Stdout} {result.Stderr}");
        return (output, double.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
