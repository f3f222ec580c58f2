using System.Globalization;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// A real terminal for a program under test: a detached tmux session on a private server socket,
/// driven with <c>send-keys</c> (keys, or raw bytes such as SGR mouse reports) and read with
/// <c>capture-pane</c> and the pane's mode flags (alternate screen, cursor, mouse reporting). A
/// shell waits in the pane after the program exits (printing <see cref="ExitMarker"/> and the exit
/// status), so what the program left on the terminal can be read from a live pane (a dead pane's
/// flags are not the program's). Every wait is bounded.
/// </summary>
public sealed class TmuxTerminal : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);
    private readonly string _socket = $"gw-tui-{Guid.NewGuid():N}";

    public const string ExitMarker = "[program exited with status ";

    private TmuxTerminal()
    {
    }

    /// <summary>Runs <paramref name="command"/> (program and arguments) in a new <paramref name="width"/>x<paramref name="height"/> terminal.</summary>
    public static async Task<TmuxTerminal> StartAsync(IReadOnlyList<string> command, int width, int height)
    {
        var terminal = new TmuxTerminal();
        var shellCommand = string.Join(' ', command.Select(Quote));
        await terminal.RunAsync("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", width.ToString(CultureInfo.InvariantCulture), "-y", height.ToString(CultureInfo.InvariantCulture),
            "sh", "-c", $"sleep 0.3; {shellCommand}; echo \"{ExitMarker}$?]\"; exec sleep 600");
        return terminal;
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private async Task<string> RunAsync(params string[] args)
    {
        var result = await ExternalProcess.RunAsync("tmux", ["-L", _socket, .. args], CommandTimeout);
        if (result.ExitCode != 0) throw new InvalidOperationException($"tmux {string.Join(' ', args)}: {result.Stderr}");
        return result.Stdout;
    }

    /// <summary>tmux key names (<c>q</c>, <c>Tab</c>, <c>BTab</c>, <c>Down</c>, <c>C-c</c>).</summary>
    public Task SendKeysAsync(params string[] keys) => RunAsync(["send-keys", "-t", "t", .. keys]);

    /// <summary>Bytes typed as they are (e.g. an SGR mouse report), not interpreted as key names.</summary>
    public Task SendRawAsync(string text) => RunAsync("send-keys", "-t", "t", "-l", text);

    /// <summary>The visible screen as text, one line per row.</summary>
    public Task<string> CaptureAsync() => RunAsync("capture-pane", "-p", "-t", "t");

    /// <summary>The visible screen with colours and attributes as escape sequences.</summary>
    public Task<string> CaptureWithColoursAsync() => RunAsync("capture-pane", "-p", "-e", "-t", "t");

    /// <summary>A tmux format for the pane, e.g. <c>#{alternate_on}</c>.</summary>
    public async Task<string> FormatAsync(string format) => (await RunAsync("display-message", "-p", "-t", "t", format)).Trim();

    public Task ResizeAsync(int width, int height)
        => RunAsync("resize-window", "-t", "t", "-x", width.ToString(CultureInfo.InvariantCulture), "-y", height.ToString(CultureInfo.InvariantCulture));

    /// <summary>Waits until the screen satisfies <paramref name="condition"/>; returns whether it did, and the last screen.</summary>
    public async Task<(bool Ok, string Screen)> WaitForAsync(Func<string, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string screen;
        while (true)
        {
            screen = await CaptureAsync();
            if (condition(screen)) return (true, screen);
            if (DateTime.UtcNow >= deadline) return (false, screen);
            await Task.Delay(100);
        }
    }

    public Task<(bool Ok, string Screen)> WaitForAsync(string text, TimeSpan timeout) => WaitForAsync(s => s.Contains(text, StringComparison.Ordinal), timeout);

    /// <summary>Waits until the program has exited; returns its exit status, or null on timeout.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        var (ok, screen) = await WaitForAsync(ExitMarker, timeout);
        if (!ok) return null;
        var start = screen.IndexOf(ExitMarker, StringComparison.Ordinal) + ExitMarker.Length;
        return int.Parse(screen[start..screen.IndexOf(']', start)], CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ExternalProcess.RunAsync("tmux", ["-L", _socket, "kill-server"], CommandTimeout);
        }
        catch (Exception)
        {
            // Already gone.
        }
    }
}
