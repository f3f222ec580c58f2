using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// Upstream keep-alive through channels: sequential requests on one downstream HTTP/1.1
/// keep-alive connection reuse pooled tunnel channels, so the upstream (nginx, whose access log
/// records the serial number of the TCP connection each request came on) sees far fewer
/// connections than requests.
/// </summary>
public sealed class UpstreamKeepAliveThroughTunnelTests : IAsyncLifetime
{
    private const string Host = "keepalive.example.com";
    private const int Requests = 20;
    private readonly TempDirectory _dir = new();
    private NginxUpstream _nginx = null!;
    private TunnelScenario _scenario = null!;

    public async Task InitializeAsync()
    {
        _nginx = await NginxUpstream.StartAsync(_dir);
        await File.WriteAllTextAsync(Path.Combine(_nginx.Root, "page.txt"), "a small page");
        _scenario = await TunnelScenario.StartAsync(_dir, new ScenarioRoute(Host, _nginx.Url));
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _nginx.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Twenty_requests_on_one_downstream_connection_use_at_most_two_upstream_connections()
    {
        await _scenario.ConnectAsync("alice", Host, "/page.txt");
        var trust = new NodeTrust(_scenario.Node);
        using var client = new HttpClient(trust.CreateHandler(maxConnections: 1)) { Timeout = TimeSpan.FromSeconds(30) };

        for (var i = 0; i < Requests; i++)
        {
            using var response = await client.GetAsync(trust.Url("https", Host, $"/page.txt?n={i}"));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new Version(1, 1), response.Version);
            Assert.Equal("a small page", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(1, trust.Connections);

        var ours = _nginx.AccessLog().Where(e => e.Uri.StartsWith("/page.txt?n=", StringComparison.Ordinal)).ToList();
        Assert.Equal(Requests, ours.Count);
        Assert.All(ours, e => Assert.Equal(200, e.Status));
        var connections = ours.Select(e => e.Connection).Distinct().Count();
        Assert.InRange(connections, 1, 2);
    }
}
