using System.Globalization;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// Headers the gateway must not pass on as the client wrote them: the headers a client or an
/// upstream names in <c>Connection:</c> (hop-by-hop, RFC 9110 §7.6.1), and the client-address
/// headers (X-Forwarded-For, X-Real-IP, Forwarded), which only a peer in <c>trusted_proxies</c>
/// may supply. Real curl, a real node, an upstream that echoes the request head it received,
/// reached directly and through a real <c>ssh -R 0</c> tunnel.
/// </summary>
public sealed class ForwardedHeaderTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string Direct = "direct.headers.test";
    private const string Tunnel = "tunnel.headers.test";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Routes(string upstream, string tunnelOwnerKey, string extra = "") => $$"""
        users = [ { email = "alice@example.com", ssh_keys = ["{{tunnelOwnerKey}}"] } ]
        {{extra}}
        routes = [
          { from = "https://{{Direct}}", to = "{{upstream}}", allow_public_unauthenticated_access = true }
          {
            from = "https://{{Tunnel}}"
            to = "{{upstream}}"
            allow_public_unauthenticated_access = true
            upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
          }
        ]
        """;

    /// <summary>
    /// Two requests on one HTTP/1.1 connection (curl's <c>--next</c> keeps it): the first names
    /// X-Secret in Connection and sends client-address headers, the second sends X-Secret plainly.
    /// Returns curl's output: per request the response head and body (the upstream's view).
    /// </summary>
    private static async Task<string[]> TwoRequestsAsync(GatewayNodeProcess node, string host)
    {
        var port = node.HttpsPort.ToString(CultureInfo.InvariantCulture);
        string[] common = ["-sS", "-i", "--http1.1", "--max-time", "30", "--cacert", node.CaPath, "--resolve", $"{host}:{port}:127.0.0.1", "-w", "=====\n"];
        var args = new List<string>(common)
        {
            "-H", "Connection: keep-alive, X-Secret", "-H", "X-Secret: for-the-gateway-only",
            "-H", "X-Real-IP: 203.0.113.7", "-H", "X-Forwarded-For: 203.0.113.8", "-H", "Forwarded: for=203.0.113.9",
            $"https://{host}:{port}/first", "--next",
        };
        args.AddRange(common);
        args.AddRange(["-v", "-H", "X-Secret: end-to-end", $"https://{host}:{port}/second"]);
        var result = await ExternalProcess.RunAsync("curl", args, TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Re-using existing connection", result.Stderr);
        var parts = result.Stdout.Split("=====\n");
        Assert.True(parts.Length >= 2, result.Stdout);
        return parts;
    }

    private static void AssertUntrustedClientHeadersReplaced(string first, string second)
    {
        Assert.Contains("GET /first HTTP/1.1", first);
        // Named in Connection: removed; the same header on the next request, not named, passes.
        Assert.DoesNotContain("for-the-gateway-only", first);
        Assert.Contains("GET /second HTTP/1.1", second);
        Assert.Contains("X-Secret: end-to-end", second);
        // The client's address claims are replaced by what the gateway saw.
        Assert.Contains("X-Real-IP: 127.0.0.1\r\n", first);
        Assert.Contains("X-Forwarded-For: 127.0.0.1\r\n", first);
        Assert.DoesNotContain("203.0.113", first);
        Assert.DoesNotContain("Forwarded: for=", first);
        // The upstream's hop-by-hop header stays with the gateway; its other headers reach the client.
        Assert.DoesNotContain("hop-secret", first);
        Assert.Contains("X-Kept: end-to-end", first);
    }

    [Fact]
    public async Task Direct_route_removes_connection_named_headers_both_ways_and_replaces_client_address_headers()
    {
        await using var upstream = HeaderEchoUpstream.Start();
        var alice = await TunnelClient.CreateAsync(_dir, "alice");
        await using var node = await GatewayNodeProcess.StartAsync(_dir, Routes(upstream.Url, alice.PublicKey));

        var replies = await TwoRequestsAsync(node, Direct);
        AssertUntrustedClientHeadersReplaced(replies[0], replies[1]);
    }

    [Fact]
    public async Task Tunnel_route_removes_connection_named_headers_both_ways_and_replaces_client_address_headers()
    {
        await using var upstream = HeaderEchoUpstream.Start();
        var alice = await TunnelClient.CreateAsync(_dir, "alice");
        await using var node = await GatewayNodeProcess.StartAsync(_dir, Routes(upstream.Url, alice.PublicKey));
        await using var ssh = alice.Connect(node, ["-N", "-v", "-R", "0"]);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        var (_, status) = await Curl.WaitForStatusAsync(node, Tunnel, s => s != 503, Timeout);
        Assert.Equal(200, status);

        var replies = await TwoRequestsAsync(node, Tunnel);
        AssertUntrustedClientHeadersReplaced(replies[0], replies[1]);
    }

    [Fact]
    public async Task Peer_in_trusted_proxies_keeps_its_client_address_headers_and_is_appended_to()
    {
        await using var upstream = HeaderEchoUpstream.Start();
        var alice = await TunnelClient.CreateAsync(_dir, "alice");
        await using var node = await GatewayNodeProcess.StartAsync(_dir, Routes(upstream.Url, alice.PublicKey, "trusted_proxies = [\"127.0.0.0/8\"]"));

        var first = (await TwoRequestsAsync(node, Direct))[0];
        Assert.Contains("X-Real-IP: 203.0.113.7\r\n", first);
        Assert.Contains("X-Forwarded-For: 203.0.113.8, 127.0.0.1\r\n", first);
        Assert.Contains("Forwarded: for=203.0.113.9\r\n", first);
        // Trust in the sender's address headers does not make Connection-named headers end-to-end.
        Assert.DoesNotContain("for-the-gateway-only", first);
    }
}
