using System.Text.Json;
using Gateway.Actors.Sessions;
using Gateway.Node.SshSessions.Cli;

namespace Gateway.Node.Tests.Cli;

/// <summary>This connection's forwards, as the session actor reports them, named by route address.</summary>
public sealed class StatusCommandTests
{
    private static CliFixture WithForwards()
    {
        var f = new CliFixture();
        f.Forwards = new SessionStatus([
            new ForwardStatus(new ForwardPermission(HostPattern.Glob("localhost"), 0, 40000, ForwardKind.Dynamic, 0), ["https-app.example.com", "https-plain.example.com"]),
            new ForwardStatus(new ForwardPermission(HostPattern.Exact("plain.example.com"), 443, 443, ForwardKind.StaticHttps, 1), []),
            new ForwardStatus(new ForwardPermission(HostPattern.Exact("x"), 8080, 8080, ForwardKind.Inert, 2), []),
        ]);
        return f;
    }

    [Fact]
    public async Task Text_lists_each_forward_with_the_routes_it_serves()
    {
        var result = await WithForwards().RunAsync("status");
        Assert.Equal(CliExitCodes.Success, result.ExitCode);
        Assert.Equal("""
            connection ssh-7-abcdef12 from 127.0.0.1:50000 as alice@example.com
            HOSTNAME           PORT     MODE          ROUTES
            (all)              D 40000  dynamic       https://app.example.com, https://plain.example.com (not admitted by ssh_policy: https://other.example.com)
            plain.example.com  443      static_https  none
            x                  8080     none          none

            """, result.Stdout);
    }

    [Fact]
    public async Task A_connection_without_forwards_says_so()
    {
        var result = await new CliFixture().RunAsync("status");
        Assert.Equal("connection ssh-7-abcdef12 from 127.0.0.1:50000 as alice@example.com\nno forwards on this connection (ssh -R 0 ... asks to serve every route you may serve)\n", result.Stdout);
    }

    [Fact]
    public async Task Json_has_the_documented_fields()
    {
        using var json = JsonDocument.Parse((await WithForwards().RunAsync("status --json")).Stdout);
        var root = json.RootElement;
        Assert.Equal("ssh-7-abcdef12", root.GetProperty("session_id").GetString());
        Assert.Equal("127.0.0.1:50000", root.GetProperty("client_address").GetString());
        Assert.Equal("alice@example.com", root.GetProperty("email").GetString());
        var forwards = root.GetProperty("forwards").EnumerateArray().ToList();
        Assert.Equal(3, forwards.Count);
        var dynamic = forwards[0];
        Assert.Equal("localhost", dynamic.GetProperty("bind_address").GetString());
        Assert.Equal(0u, dynamic.GetProperty("requested_port").GetUInt32());
        Assert.Equal(40000u, dynamic.GetProperty("server_port").GetUInt32());
        Assert.Equal("dynamic", dynamic.GetProperty("mode").GetString());
        Assert.True(dynamic.GetProperty("matches_all").GetBoolean());
        Assert.Equal(["https-app.example.com", "https-plain.example.com"], dynamic.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal("https://app.example.com", dynamic.GetProperty("routes")[0].GetProperty("from").GetString());
        Assert.Equal(["https-other.example.com"], dynamic.GetProperty("not_admitted").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal("static_https", forwards[1].GetProperty("mode").GetString());
        Assert.False(forwards[1].GetProperty("matches_all").GetBoolean());
        Assert.Equal("none", forwards[2].GetProperty("mode").GetString());
    }
}
