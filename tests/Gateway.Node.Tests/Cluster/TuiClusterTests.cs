using System.Text.RegularExpressions;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;
using Member = Gateway.Node.Tests.Cluster.ClusterHarness.Member;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// The status TUI and the internal commands in a cluster: a connection relayed from another node
/// shows with that node named and its request's path; <c>routes</c> asked on the other node sees
/// the tunnel; the node holding the TUI's connection draining and stopping leaves the user's
/// terminal restored. Real node processes, a real <c>ssh -tt -R 0</c> inside tmux.
/// </summary>
public sealed class TuiClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private EchoUpstream _upstream = null!;
    private TunnelClient _alice = null!;
    private string _routes = null!;

    public async Task InitializeAsync()
    {
        _upstream = await EchoUpstream.StartAsync("laptop-app");
        _alice = await TunnelClient.CreateAsync(_dir, "alice");
        _routes = ClusterHarness.Routes(_alice, _upstream.Url);
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<Member> StartNodeAsync(int? seedPort = null)
    {
        var member = await ClusterHarness.StartNodeAsync(_dir, _routes, seedPort);
        _owned.Add(member.Node);
        return member;
    }

    [Fact]
    public async Task A_relayed_connection_names_its_node_and_a_drained_node_leaves_the_terminal_restored()
    {
        var a = await StartNodeAsync();
        var b = await StartNodeAsync(a.ClusterPort);
        foreach (var member in new[] { a, b })
        {
            var (up, json) = await member.WaitForStatusAsync(s => Member.UpMembers(s) == 2, Timeout);
            Assert.True(up, $"{member.Node} did not see two members Up: {json}");
        }

        var terminal = await TmuxTerminal.StartAsync(_alice.CommandLine(a.Node, ["-tt", "-R", "0"]), 160, 40);
        _owned.Add(terminal);
        var (ok, screen) = await terminal.WaitForAsync(s => Regex.IsMatch(s, @"ACTIVE\s+UNKNOWN\s+https://https-demo\.example\.com:443"), Timeout);
        Assert.True(ok, screen + "\nnode:\n" + a.Node.Log);
        var (seen, status) = await b.WaitForStatusAsync(s => Member.EndpointCount(s) == 1, Timeout);
        Assert.True(seen, status);

        // The request reaches B; the tunnel is on A: the relay carries it, and A's TUI names B and the request's path.
        var reply = await ClusterHarness.GetUntilOkAsync(b.Node, "/via-b", Timeout);
        Assert.Equal(200, reply.Status);
        (ok, screen) = await terminal.WaitForAsync(s => Regex.IsMatch(s, $@"https-demo\.example\.com\s+/via-b\s+127\.0\.0\.1:\d+ via 127\.0\.0\.1:{b.ClusterPort}"), Timeout);
        Assert.True(ok, screen + "\nnode A:\n" + a.Node.Log);

        // `routes` asked on B, which holds no tunnel, reads the whole cluster's endpoints: the route is ACTIVE.
        var routes = await new OpenSshClient(_dir, b.Node.SshPort, b.Node.HostKeyLine, _alice.KeyPath, user: "tunnel").RunAsync("routes --json", timeout: Timeout);
        Assert.True(routes.ExitCode == 0, routes.Stderr);
        using (var doc = System.Text.Json.JsonDocument.Parse(routes.Stdout))
        {
            var route = Assert.Single(doc.RootElement.GetProperty("routes").EnumerateArray());
            Assert.Equal("ACTIVE", route.GetProperty("status").GetString());
        }

        // SIGTERM: A drains (the TUI says so), then stops and closes the connection; the TUI restores the terminal first.
        var stopping = a.Node.StopAsync(Timeout);
        (ok, screen) = await terminal.WaitForAsync(s => s.Contains("this node is draining", StringComparison.Ordinal) || s.Contains(TmuxTerminal.ExitMarker, StringComparison.Ordinal), Timeout);
        Assert.True(ok, screen);
        Assert.True(await stopping, "node A did not stop");
        Assert.NotNull(await terminal.WaitForExitAsync(Timeout));
        screen = await terminal.CaptureAsync();
        Assert.True(screen.Contains("gateway: server shutting down", StringComparison.Ordinal), screen + "\nnode A:\n" + (a.Node.LastLog ?? a.Node.Log));
        Assert.DoesNotContain("╭─", screen);
        Assert.Equal("0 1", await terminal.FormatAsync("#{alternate_on} #{cursor_flag}"));
        Assert.Equal("0 0 0", await terminal.FormatAsync("#{mouse_any_flag} #{mouse_button_flag} #{mouse_sgr_flag}"));
    }
}
