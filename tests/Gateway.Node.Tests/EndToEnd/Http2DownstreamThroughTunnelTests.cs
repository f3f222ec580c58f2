using System.Net;
using Gateway.Node.Tests.Http.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// HTTP/2 from the downstream client to the node, with the tunnel's upstream an ordinary HTTP/1.1
/// server behind <c>ssh -N -R 0</c>: curl <c>--http2</c>, and concurrent streams multiplexed on
/// one connection.
/// </summary>
public sealed class Http2DownstreamThroughTunnelTests() : UpstreamBehindTunnel("h2.example.com", "h2-laptop")
{
    [Fact]
    public async Task Curl_http2_is_served_through_the_tunnel()
    {
        await Scenario.ConnectAsync("alice", Host);

        var result = await Curl.GetAsync(Scenario.Node, Host, "/over-h2", "--http2", "-v");
        var (body, status) = Curl.Parse(result);
        Assert.Equal(200, status);
        Assert.Contains("ALPN: server accepted h2", result.Stderr);
        Assert.Contains("< HTTP/2 200", result.Stderr);
        Assert.Equal($"name=h2-laptop;host={Host}:{Scenario.Node.HttpsPort};xfh={Host}:{Scenario.Node.HttpsPort};proto=HTTP/1.1;scheme=http;path=/over-h2", body);
    }

    [Fact]
    public async Task Concurrent_http2_streams_on_one_connection_are_all_served()
    {
        await Scenario.ConnectAsync("alice", Host);
        var trust = new NodeTrust(Scenario.Node);
        using var client = new HttpClient(trust.CreateHandler())
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };

        var replies = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var response = await client.GetAsync(trust.Url("https", Host, $"/stream/{i}"));
            return (i, response.StatusCode, response.Version, Body: await response.Content.ReadAsStringAsync());
        }));

        foreach (var (i, code, version, body) in replies)
        {
            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal(HttpVersion.Version20, version);
            Assert.EndsWith($";path=/stream/{i}", body);
        }
        Assert.Equal(1, trust.Connections);
    }
}
