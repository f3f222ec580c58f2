using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// The node process refusing a bad configuration: exit code 2 and a message on stderr naming the
/// offending key path, before it listens on anything.
/// </summary>
public sealed class ConfigErrorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Tunnel = """upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }""";

    public static TheoryData<string, string, string> BadConfigs => new()
    {
        { "unknown key", "adress = \"127.0.0.1:1\"", "adress: unknown key (did you mean `address`?)" },
        {
            "bad to URL",
            """routes = [ { from = "https://a.example.com", to = ["http://127.0.0.1:1", "ftp://x"], allow_public_unauthenticated_access = true } ]""",
            "routes[0].to[1]: expected an http://, https:// or h2c:// URL, got \"ftp://x\""
        },
        {
            "bad policy criterion",
            """routes = [ { from = "https://a.example.com", to = "http://127.0.0.1:1", upstream_tunnel { ssh_policy { allow { or = [{ emial { is = "a@example.com" } }] } } } } ]""",
            "routes[0].upstream_tunnel.ssh_policy.allow.or[0].emial: unknown criterion \"emial\""
        },
        {
            "duplicate route",
            $$"""
            routes = [
              { from = "https://a.example.com", to = "http://127.0.0.1:1", {{Tunnel}} }
              { from = "https://a.example.com", to = "http://127.0.0.1:2", {{Tunnel}} }
            ]
            """,
            "routes[1].from: duplicate route: \"https://a.example.com\" is already defined at routes[0].from"
        },
        {
            "missing certificate file",
            """certificates = [ { cert = "/nonexistent/gateway-test/cert.pem", key = "/nonexistent/gateway-test/key.pem" } ]""",
            "certificates[0].cert: file not found: /nonexistent/gateway-test/cert.pem"
        },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task Node_exits_with_2_naming_the_key_path(string problem, string body, string expected)
    {
        var config = $"""
            address = "127.0.0.1:0"
            ssh_address = "127.0.0.1:0"
            data_dir = "{_dir.File("data")}"
            {body}
            """;
        var result = await GatewayNodeProcess.RunExpectingFailureAsync(_dir, config);
        Assert.True(result.ExitCode == 2, $"{problem}: exit code {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        Assert.Contains("invalid configuration (", result.Stderr);
        Assert.Contains(expected, result.Stderr);
        Assert.DoesNotContain("gateway ready", result.Stdout);
        Assert.False(Directory.Exists(_dir.File("data")), $"{problem}: nothing is generated for a refused config");
    }
}
