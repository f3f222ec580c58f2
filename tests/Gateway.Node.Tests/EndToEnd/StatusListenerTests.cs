using System.Globalization;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// The status listener of a real node process, asked with the real curl: <c>/healthz</c> and
/// <c>/readyz</c> are open; <c>/status</c> and <c>POST /drain</c> need the node's bearer token and one
/// of the listener's host names, so neither a cross-site form nor a rebound DNS name can read the
/// node's users and sessions or drain it.
/// </summary>
public sealed class StatusListenerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Config(string statusAddress, string extra = "") => $$"""
        users = [ { email = "alice@example.com", ssh_keys = [] } ]
        routes = [
          {
            from = "https://https-demo.example.com"
            to = "http://127.0.0.1:1"
            allow_public_unauthenticated_access = true
            upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
          }
        ]
        cluster {
          status_address = "{{statusAddress}}"
          {{extra}}
        }
        """;

    private async Task<GatewayNodeProcess> StartAsync(string extra = "", IDictionary<string, string>? environment = null, string? statusAddress = null)
    {
        var port = LoopbackPorts.Reserve();
        var node = GatewayNodeProcess.Create(_dir, Config(statusAddress ?? $"127.0.0.1:{port}", extra), statusPort: port, environment: environment);
        await node.StartAsync(Timeout, waitForReadyz: true);
        return node;
    }

    /// <summary>curl against the status listener; the status code, the headers and the body.</summary>
    private static async Task<(int Status, string Headers, string Body)> CurlAsync(GatewayNodeProcess node, string path, params string[] extra)
    {
        var headers = Path.GetTempFileName();
        try
        {
            var result = await ExternalProcess.RunAsync("curl", ["-sS", "--max-time", "10", "-D", headers, "-w", "\n%{http_code}", .. extra, node.StatusUrl + path], TimeSpan.FromSeconds(30));
            var cut = result.Stdout.LastIndexOf('\n');
            Assert.True(cut >= 0, result.Stderr);
            return (int.Parse(result.Stdout[(cut + 1)..].Trim(), CultureInfo.InvariantCulture), await File.ReadAllTextAsync(headers), result.Stdout[..cut]);
        }
        finally
        {
            File.Delete(headers);
        }
    }

    private static string Bearer(string token) => "Authorization: Bearer " + token;

    [Fact]
    public async Task A_cross_site_text_plain_post_to_drain_without_the_token_is_refused_and_the_node_keeps_serving()
    {
        await using var node = await StartAsync();

        // What a page on another site can send without a CORS preflight: a "simple" POST.
        var (status, headers, _) = await CurlAsync(node, "/drain", "-X", "POST", "-H", "Content-Type: text/plain",
            "-H", "Origin: https://attacker.example", "--data", "drain");

        Assert.Equal(401, status);
        Assert.Contains("WWW-Authenticate: Bearer", headers, StringComparison.OrdinalIgnoreCase);
        Assert.Equal((200, "up"), await ReadyAsync(node));
        Assert.False(node.HasExited);
        Assert.Contains("refused POST /drain", node.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_needs_the_right_bearer_token()
    {
        await using var node = await StartAsync();

        var (none, noneHeaders, _) = await CurlAsync(node, "/status");
        var (wrong, _, _) = await CurlAsync(node, "/status", "-H", Bearer(node.StatusToken + "x"));
        var (right, _, body) = await CurlAsync(node, "/status", "-H", Bearer(node.StatusToken));

        Assert.Equal(401, none);
        Assert.Contains("WWW-Authenticate: Bearer", noneHeaders, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(401, wrong);
        Assert.Equal(200, right);
        Assert.Contains("\"local_tunnels\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_that_is_not_the_listeners_gets_421_even_with_the_token_and_probes_stay_open()
    {
        await using var node = await StartAsync("status_allowed_hosts = [\"status.internal\"]");

        // A page on attacker.example whose name now resolves to 127.0.0.1 (DNS rebinding).
        var (rebound, _, _) = await CurlAsync(node, "/status", "-H", "Host: attacker.example:" + node.StatusPort, "-H", Bearer(node.StatusToken));
        var (listed, _, _) = await CurlAsync(node, "/status", "-H", "Host: status.internal", "-H", Bearer(node.StatusToken));
        var (localhost, _, _) = await CurlAsync(node, "/status", "-H", "Host: localhost:" + node.StatusPort, "-H", Bearer(node.StatusToken));
        var (healthz, _, healthBody) = await CurlAsync(node, "/healthz", "-H", "Host: attacker.example");
        var (readyz, _, _) = await CurlAsync(node, "/readyz");

        Assert.Equal(421, rebound);
        Assert.Equal(200, listed);
        Assert.Equal(200, localhost);
        Assert.Equal((200, "ok\n"), (healthz, healthBody));
        Assert.Equal(200, readyz);
    }

    [Fact]
    public async Task Drain_is_post_only_and_drains_with_the_token()
    {
        await using var node = await StartAsync();

        var (get, getHeaders, _) = await CurlAsync(node, "/drain", "-H", Bearer(node.StatusToken));
        Assert.Equal(405, get);
        Assert.Contains("Allow: POST", getHeaders, StringComparison.OrdinalIgnoreCase);
        Assert.Equal((200, "up"), await ReadyAsync(node));

        var (post, _, body) = await CurlAsync(node, "/drain", "-X", "POST", "-H", Bearer(node.StatusToken));
        Assert.Equal((202, "draining\n"), (post, body));
        Assert.True(await node.WaitForExitAsync(Timeout), "the node exits after an authorized POST /drain");
        Assert.Equal(0, node.LastExitCode);
    }

    [Fact]
    public async Task Without_a_token_configured_status_and_drain_answer_403_saying_how_to_configure_one()
    {
        await using var node = await StartAsync(environment: new Dictionary<string, string> { ["GATEWAY_STATUS_TOKEN"] = "" });

        var (status, _, body) = await CurlAsync(node, "/status", "-H", "Authorization: Bearer anything");
        var (drain, _, _) = await CurlAsync(node, "/drain", "-X", "POST", "-H", "Authorization: Bearer ");

        Assert.Equal(403, status);
        Assert.Contains("GATEWAY_STATUS_TOKEN", body, StringComparison.Ordinal);
        Assert.Contains("cluster.status_token_file", body, StringComparison.Ordinal);
        Assert.Equal(403, drain);
        Assert.Equal((200, "up"), await ReadyAsync(node));
        Assert.Contains("answer 403 until a token is configured", node.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_comes_from_the_file_and_the_environment_wins_over_it()
    {
        var file = _dir.WritePrivate("status-token", "  from-the-file-0123456789\n");
        var fromFile = await StartAsync($"status_token_file = \"{file}\"", new Dictionary<string, string> { ["GATEWAY_STATUS_TOKEN"] = "" });
        await using (fromFile)
        {
            Assert.Equal(200, (await CurlAsync(fromFile, "/status", "-H", Bearer("from-the-file-0123456789"))).Status);
        }

        await using var both = await StartAsync($"status_token_file = \"{file}\"", new Dictionary<string, string> { ["GATEWAY_STATUS_TOKEN"] = "from-the-environment" });
        Assert.Equal(401, (await CurlAsync(both, "/status", "-H", Bearer("from-the-file-0123456789"))).Status);
        Assert.Equal(200, (await CurlAsync(both, "/status", "-H", Bearer("from-the-environment"))).Status);
    }

    [Fact]
    public async Task A_status_address_given_as_a_port_only_binds_loopback()
    {
        var port = LoopbackPorts.Reserve();
        await using var node = GatewayNodeProcess.Create(_dir, Config($":{port}"), statusPort: port);
        await node.StartAsync(Timeout, waitForReadyz: true);

        Assert.Contains($"status listening on 127.0.0.1:{port}", node.Log, StringComparison.Ordinal);
    }

    private static async Task<(int, string)> ReadyAsync(GatewayNodeProcess node)
    {
        var (status, _, body) = await CurlAsync(node, "/readyz");
        return (status, body.Trim());
    }
}
