using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// What an anonymous visitor learns when the upstream fails: the status, a generic reason and a
/// request id, never the upstream's address, port or the error's text. The detail is in the node's
/// log under that id and, for a tunnel, on its owner's status stream. Real node, real curl, a real
/// <c>ssh -R 0</c>, an upstream port nobody listens on.
/// </summary>
public sealed partial class ErrorPageTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string AssertGenericPage(string body, int closedPort, string host)
    {
        Assert.Contains("502 Bad Gateway", body);
        Assert.Contains($"the upstream of {host} could not be reached", body);
        Assert.DoesNotContain("127.0.0.1", body);
        Assert.DoesNotContain(closedPort.ToString(CultureInfo.InvariantCulture), body);
        Assert.DoesNotContain("refused", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("socks", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ssh", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", body);
        var id = RequestId().Match(body);
        Assert.True(id.Success, body);
        return id.Groups[1].Value;
    }

    [GeneratedRegex("Request id: <code>([^<]+)</code>")]
    private static partial Regex RequestId();

    [Fact]
    public async Task Direct_route_to_a_closed_port_shows_a_request_id_and_logs_the_detail_under_it()
    {
        var closed = LoopbackPorts.Reserve();
        await using var node = await GatewayNodeProcess.StartAsync(_dir, $$"""
            routes = [ { from = "https://down.errors.test", to = "http://127.0.0.1:{{closed}}", allow_public_unauthenticated_access = true } ]
            """);

        var (body, status) = Curl.Parse(await Curl.GetAsync(node, "down.errors.test"));
        Assert.Equal(502, status);
        var id = AssertGenericPage(body, closed, "down.errors.test");

        Assert.True(await node.WaitForLogAsync($"request {id}: ", Timeout), node.Log);
        var line = node.Log.Split('\n').Single(l => l.Contains($"request {id}: ", StringComparison.Ordinal));
        Assert.Contains($"127.0.0.1:{closed}", line);
        Assert.Contains("Connection refused", line);
        Assert.Contains("-> 502", line);
    }

    [Fact]
    public async Task Tunnel_to_a_closed_port_shows_a_request_id_and_tells_the_owner_and_the_log_under_it()
    {
        var closed = LoopbackPorts.Reserve();
        var alice = await TunnelClient.CreateAsync(_dir, "alice");
        await using var node = await GatewayNodeProcess.StartAsync(_dir, $$"""
            users = [ { email = "alice@example.com", ssh_keys = ["{{alice.PublicKey}}"] } ]
            routes = [
              {
                from = "https://tunnel-down.errors.test"
                to = "http://127.0.0.1:{{closed}}"
                allow_public_unauthenticated_access = true
                upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
              }
            ]
            """);
        await using var ssh = StatusStream.Open(alice, node, "0");
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));

        var (body, status) = await Curl.WaitForStatusAsync(node, "tunnel-down.errors.test", s => s != 503, Timeout);
        Assert.Equal(502, status);
        var id = AssertGenericPage(body, closed, "tunnel-down.errors.test");

        // The owner sees what failed, for which request; so does the log.
        Assert.True(await StatusStream.WaitForAsync(ssh, $"(request {id})", Timeout), ssh.Stdout);
        var ownerLine = ssh.Stdout.Split('\n').Single(l => l.Contains($"(request {id})", StringComparison.Ordinal));
        Assert.Contains($"error: the ssh client could not connect to 127.0.0.1:{closed} for tunnel-down.errors.test", ownerLine);
        Assert.True(await node.WaitForLogAsync($"request {id}: ", Timeout), node.Log);
        var logLine = node.Log.Split('\n').Single(l => l.Contains($"request {id}: ", StringComparison.Ordinal));
        Assert.Contains($"could not connect to 127.0.0.1:{closed}", logLine);
        Assert.Contains("-> 502", logLine);
    }
}
