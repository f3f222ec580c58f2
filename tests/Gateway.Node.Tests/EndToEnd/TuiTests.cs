using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// The status TUI as a person sees it: a real <c>ssh -tt -R ...</c> inside a real terminal (tmux),
/// keys and SGR mouse reports typed with <c>send-keys</c>, the screen read with <c>capture-pane</c>
/// and the terminal's modes with tmux's pane flags.
/// </summary>
public sealed partial class TuiTests : IClassFixture<TuiTests.Fixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Fixture _f;

    public TuiTests(Fixture fixture) => _f = fixture;

    public sealed class Fixture : IAsyncLifetime
    {
        public TempDirectory Dir { get; } = new();
        public TrickleUpstream Trickle { get; private set; } = null!;
        public NamedUpstream Health { get; private set; } = null!;
        public NamedUpstream App { get; private set; } = null!;
        public TunnelClient Alice { get; private set; } = null!;
        public GatewayNodeProcess Node { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Trickle = await TrickleUpstream.StartAsync();
            Health = await NamedUpstream.StartAsync("tui-health");
            App = await NamedUpstream.StartAsync("tui-app");
            Alice = await TunnelClient.CreateAsync(Dir, "alice");
            Node = await GatewayNodeProcess.StartAsync(Dir, $$"""
                users = [
                  { email = "alice@example.com", ssh_keys = ["{{Alice.PublicKey}}"] }
                ]
                routes = [
                  {{Route("https-tui-live.example.com", Trickle.Url, "alice@example.com")}}
                  {{Route("https-tui-health.example.com", Health.Url, "alice@example.com", """
                    health_checks = [{
                      http_health_check = { path = "/health" }
                      timeout = 1s
                      # Each probe is a connection row (newest first): at 1 s the download's closed row
                      # stays on screen for several seconds, which a loaded machine needs.
                      interval = 1s
                      no_traffic_interval = 1s
                      unhealthy_threshold = 1
                      healthy_threshold = 1
                    }]
                    """)}}
                  {{Route("https-tui-mis.example.com", App.Url, "alice@example.com")}}
                  {{Route("https-tui-denied.example.com", App.Url, "carol@example.com")}}
                ]
                """);
        }

        private static string Route(string host, string to, string admitted, string extra = "") => $$"""
            {
              from = "https://{{host}}"
              to = "{{to}}"
              allow_public_unauthenticated_access = true
              upstream_tunnel { ssh_policy { allow { or = [{ email { is = "{{admitted}}" } }] } } }
              {{extra}}
            }
            """;

        public async Task DisposeAsync()
        {
            await Node.DisposeAsync();
            await Trickle.DisposeAsync();
            await Health.DisposeAsync();
            await App.DisposeAsync();
            Dir.Dispose();
        }
    }

    private Task<TmuxTerminal> StartAsync(int width, int height, params string[] forwards)
    {
        var flags = new List<string> { "-tt" };
        foreach (var forward in forwards) flags.AddRange(["-R", forward]);
        return TmuxTerminal.StartAsync(_f.Alice.CommandLine(_f.Node, flags), width, height);
    }

    private static async Task AssertRestoredAsync(TmuxTerminal terminal)
    {
        Assert.NotNull(await terminal.WaitForExitAsync(Timeout));
        Assert.Equal("0", await terminal.FormatAsync("#{alternate_on}"));
        Assert.Equal("1", await terminal.FormatAsync("#{cursor_flag}"));
        Assert.Equal("0 0 0", await terminal.FormatAsync("#{mouse_any_flag} #{mouse_button_flag} #{mouse_sgr_flag}"));
        Assert.DoesNotContain("╭─", await terminal.CaptureAsync());
    }

    [Fact]
    public async Task Four_panels_with_live_numbers_a_health_change_and_a_clean_terminal_after_q()
    {
        await using var terminal = await StartAsync(160, 40, "0");
        var (ok, screen) = await terminal.WaitForAsync(s => s.Contains("Active Connections [1]", StringComparison.Ordinal)
            && s.Contains("Client Requests [2]", StringComparison.Ordinal) && s.Contains("Port Forward Status [3]", StringComparison.Ordinal)
            && s.Contains("Logs [4]", StringComparison.Ordinal) && Regex.IsMatch(s, @"ACTIVE\s+HEALTHY\s+https://https-tui-health\.example\.com:443"), Timeout);
        Assert.True(ok, screen + "\nnode:\n" + _f.Node.Log);
        Assert.Contains("alice@example.com", screen);
        Assert.Matches(@"\(all\)\s+D \d+\s+3", screen); // -R 0: matches all, dynamic port, the three routes alice may serve
        Assert.Matches(@"ACTIVE\s+UNKNOWN\s+https://https-tui-live\.example\.com:443", screen);
        Assert.Matches(@"ACTIVE\s+HEALTHY\s+https://https-tui-health\.example\.com:443", screen);
        Assert.DoesNotContain("https://https-tui-denied", screen); // not admitted: not a row (the log says why)
        Assert.Contains("warning: route https-tui-denied.example.com matches \"localhost\" but its ssh_policy does not admit alice@example.com", screen);
        Assert.Contains("Health Check", screen); // the probes' connections
        Assert.Equal("1", await terminal.FormatAsync("#{alternate_on}"));
        Assert.Equal("1", await terminal.FormatAsync("#{mouse_sgr_flag}"));

        // The proxy's view follows the endpoint table a little later: a short request first.
        Assert.Equal(200, (await Curl.WaitForStatusAsync(_f.Node, "https-tui-live.example.com", s => s != 503, Timeout, "/trickle?seconds=1")).Status);

        // A download that lasts a few seconds: its row is OPEN and its Tx grows from one refresh to the next.
        var download = Curl.GetAsync(_f.Node, "https-tui-live.example.com", "/trickle?seconds=6", "-o", "/dev/null");
        (ok, screen) = await terminal.WaitForAsync(s => LiveTx(s) > 0, Timeout);
        Assert.True(ok, screen + "\ndownload: " + (download.IsCompleted ? download.Result.Stderr + download.Result.Stdout : "running") + "\nnode:\n" + _f.Node.Log);
        var first = LiveTx(screen);
        (ok, screen) = await terminal.WaitForAsync(s => LiveTx(s) > first, TimeSpan.FromSeconds(5));
        Assert.True(ok, $"Tx stayed at {first}:\n{screen}");
        Assert.Matches(@"OPEN\s+https-tui-live\.example\.com\s+/trickle\s+127\.0\.0\.1:\d+", screen);
        Assert.Equal(200, Curl.Parse(await download).Status);
        (ok, screen) = await terminal.WaitForAsync(s => Regex.IsMatch(s, @"CLOSED\s+https-tui-live\.example\.com\s+/trickle"), Timeout);
        Assert.True(ok, screen);

        // The local service's health endpoint fails: the route turns UNHEALTHY, and INACTIVE.
        _f.Health.HealthStatus = 503;
        try
        {
            (ok, screen) = await terminal.WaitForAsync(s => Regex.IsMatch(s, @"INACTIVE\s+UNHEALTHY\s+https://https-tui-health"), Timeout);
            Assert.True(ok, screen);
        }
        finally
        {
            _f.Health.HealthStatus = 200;
        }

        await terminal.SendKeysAsync("q");
        await AssertRestoredAsync(terminal);
    }

    /// <summary>The Tx column of the open https-tui-live row, in bytes (approximately, from its unit), or 0.</summary>
    private static double LiveTx(string screen)
    {
        var match = LiveRow().Match(screen);
        if (!match.Success) return 0;
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return value * match.Groups[2].Value switch { "KiB" => 1024, "MiB" => 1024 * 1024, _ => 1 };
    }

    // Channel, OPEN, host, path, client, Rx, then Tx.
    [GeneratedRegex(@"OPEN\s+https-tui-live\.example\.com\s+\S+\s+\S+\s+[\d.]+ \S+\s+([\d.]+) (B|KiB|MiB)")]
    private static partial Regex LiveRow();

    [Fact]
    public async Task Panels_toggle_the_terminal_resizes_a_row_menu_opens_and_the_mismatch_warning_shows_in_logs()
    {
        // No local address: OpenSSH serves SOCKS on this forward, while port 443 is static for the gateway.
        await using var terminal = await StartAsync(160, 40, "https-tui-mis.example.com:443");
        var (ok, screen) = await terminal.WaitForAsync(s => Regex.IsMatch(s, @"https-tui-mis\.example\.com\s+443\s+1"), Timeout);
        Assert.True(ok, screen + "\nnode:\n" + _f.Node.Log);

        var reply = await Curl.WaitForStatusAsync(_f.Node, "https-tui-mis.example.com", s => s != 503, Timeout);
        Assert.Equal(502, reply.Status);
        (ok, screen) = await terminal.WaitForAsync(s => s.Contains("warning: ssh client may be expecting dynamic port-forwarding", StringComparison.Ordinal)
            && s.Contains("hint: request port 0 instead of 443 (ex: '-R https-tui-mis.example.com:0')", StringComparison.Ordinal), Timeout);
        Assert.True(ok, screen + "\nreply: " + reply.Body + "\nnode:\n" + _f.Node.Log);
        Assert.Matches(@"\[\d\d:\d\d:\d\dZ\] warning: ssh client may be expecting dynamic port-forwarding", screen);

        foreach (var (key, title) in new[] { ("1", "Active Connections [1]"), ("2", "Client Requests [2]"), ("3", "Port Forward Status [3]"), ("4", "Logs [4]") })
        {
            await terminal.SendKeysAsync(key);
            (ok, screen) = await terminal.WaitForAsync(s => !s.Contains(title, StringComparison.Ordinal), Timeout);
            Assert.True(ok, $"{key} did not hide {title}:\n{screen}");
        }
        (ok, screen) = await terminal.WaitForAsync("Press 1/2/3/4 to toggle panel visibility", Timeout);
        Assert.True(ok, screen);
        await terminal.SendKeysAsync("1", "2", "3", "4");
        (ok, screen) = await terminal.WaitForAsync(s => s.Contains("Active Connections [1]", StringComparison.Ordinal) && s.Contains("Logs [4]", StringComparison.Ordinal)
            && s.Contains("Client Requests [2]", StringComparison.Ordinal) && s.Contains("Port Forward Status [3]", StringComparison.Ordinal), Timeout);
        Assert.True(ok, screen);

        // Right-click (SGR 1006: button 2, 1-based column and row) on the first Port Forward Status row
        // opens its menu; tmux's device attributes do not include the clipboard, so only Close is offered.
        var lines = screen.Split('\n');
        var row = Array.FindIndex(lines, l => l.Contains("https://https-tui-mis.example.com:443", StringComparison.Ordinal));
        Assert.True(row > 0, screen);
        await terminal.SendRawAsync($"\u001b[<2;60;{row + 1}M\u001b[<2;60;{row + 1}m");
        (ok, screen) = await terminal.WaitForAsync("https://https-tui-mis.example.com:443: [ Close ]", Timeout);
        Assert.True(ok, screen);
        Assert.DoesNotContain("Copy Remote URL", screen);
        await terminal.SendKeysAsync("Escape");
        (ok, screen) = await terminal.WaitForAsync("q/ctrl+c quit (ends ssh; use ssh -N for tunnels only)", Timeout);
        Assert.True(ok, screen);

        await terminal.ResizeAsync(180, 50);
        (ok, screen) = await terminal.WaitForAsync(s => s.Split('\n').Any(l => l.StartsWith("╭─Active Connections [1]", StringComparison.Ordinal) && l.TrimEnd().Length == 180)
            && s.Split('\n')[49].StartsWith(" q/ctrl+c quit", StringComparison.Ordinal), Timeout);
        Assert.True(ok, screen);
        await terminal.ResizeAsync(70, 20);
        (ok, screen) = await terminal.WaitForAsync("terminal too small: 70x20", Timeout);
        Assert.True(ok, screen);
        await terminal.ResizeAsync(160, 40);
        (ok, screen) = await terminal.WaitForAsync(s => s.Contains("Active Connections [1]", StringComparison.Ordinal) && !s.Contains("too small", StringComparison.Ordinal), Timeout);
        Assert.True(ok, screen);

        await terminal.SendKeysAsync("C-c");
        await AssertRestoredAsync(terminal);
    }
}
