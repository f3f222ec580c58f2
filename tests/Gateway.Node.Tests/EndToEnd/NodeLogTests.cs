using System.Text.Json;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// The node's console log as an operator reads it: one line per event in one format, no warning on
/// a normal start, no stack trace for an expected condition; and one JSON object per line with
/// <c>--log-format json</c>.
/// </summary>
public sealed class NodeLogTests : IDisposable
{
    private const string RouteHost = "https-demo.example.com";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A tunnel route no client is connected to, and a status listener.</summary>
    private static string Config(int statusPort) => $$"""
        users = [ { email = "alice@example.com", ssh_keys = [] } ]
        routes = [
          {
            from = "https://{{RouteHost}}"
            to = "http://127.0.0.1:1"
            allow_public_unauthenticated_access = true
            upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
          }
        ]
        cluster { status_address = "127.0.0.1:{{statusPort}}" }
        """;

    private static string[] Lines(string log) => log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Normal_start_and_a_503_without_tunnel_log_single_lines_without_warnings_or_stack_traces()
    {
        await using var node = await GatewayNodeProcess.StartAsync(_dir, Config(LoopbackPorts.Reserve()));
        var (body, status) = Curl.Parse(await Curl.GetAsync(node, RouteHost));
        Assert.Equal(503, status);
        Assert.Contains(RouteHost, body);
        Assert.True(await node.WaitForLogAsync("-> 503", TimeSpan.FromSeconds(10)), node.Log);
        var log = node.Log;
        var lines = Lines(log);

        // Every line is the simple console format: "HH:mm:ss.fff level: category[id] message".
        foreach (var line in lines)
            Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} (trce|dbug|info|warn|fail|crit): \S+\[\d+\] ", line);
        Assert.DoesNotContain(lines, l => l.Contains(" warn: ", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal));
        // Akka's own header ("[INFO][12/02/2026 ...][Thread 0001][remoting ...]") is not nested in the line.
        Assert.DoesNotContain("[INFO][", log);
        Assert.DoesNotContain("[Thread ", log);
        Assert.Contains(lines, l => l.Contains(" info: Akka.", StringComparison.Ordinal) && l.Contains("Remoting started", StringComparison.Ordinal));
        // The 503 is one information line, naming the route, with no exception after it.
        var refused = Assert.Single(lines, l => l.Contains("-> 503", StringComparison.Ordinal));
        Assert.Contains(" info: Gateway.Node.Http.GatewayProxyMiddleware", refused);
        Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain("Exception", log);
    }

    [Fact]
    public async Task Log_format_json_writes_one_json_object_per_line()
    {
        await using var node = await GatewayNodeProcess.StartAsync(_dir, Config(LoopbackPorts.Reserve()), extraArgs: ["--log-format", "json"]);
        Assert.Equal(503, Curl.Parse(await Curl.GetAsync(node, RouteHost)).Status);
        Assert.True(await node.WaitForLogAsync("\"Category\":\"Gateway.Node.Http.GatewayProxyMiddleware\"", TimeSpan.FromSeconds(10)), node.Log);

        var messages = new List<(string Level, string Category, string Message)>();
        foreach (var line in Lines(node.Log))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            messages.Add((root.GetProperty("LogLevel").GetString()!, root.GetProperty("Category").GetString()!, root.GetProperty("Message").GetString()!));
        }
        Assert.Contains(messages, m => m is { Level: "Information", Category: "Gateway.Node", Message: "gateway ready" });
        Assert.Contains(messages, m => m.Category.StartsWith("Akka.", StringComparison.Ordinal) && m.Message.Contains("Remoting started", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Level is "Warning" or "Error" or "Critical");
        Assert.Contains(messages, m => m.Category == "Gateway.Node.Http.GatewayProxyMiddleware" && m.Message.Contains("-> 503", StringComparison.Ordinal));
    }
}
