using System.Text;

namespace Gateway.Node.SshSessions.Tui;

/// <summary>
/// The frame the terminal shows now, and what to send to turn it into the next one: for each row
/// that differs, a cursor move to its start and the row (a full-width line with its own colour
/// codes and a reset). An unchanged frame sends nothing, which keeps an idle TUI silent. After a
/// resize (or a fresh start) the screen is cleared and every row sent.
/// </summary>
public sealed class ScreenDiff
{
    private string[]? _shown;

    /// <summary>The next frame's output, empty when nothing changed.</summary>
    public string Next(string[] frame)
    {
        var output = new StringBuilder();
        if (_shown is null || _shown.Length != frame.Length)
        {
            output.Append(TerminalControl.ClearScreen);
            _shown = new string[frame.Length];
        }
        for (var row = 0; row < frame.Length; row++)
        {
            if (_shown[row] == frame[row]) continue;
            output.Append(TerminalControl.MoveTo(row, 0)).Append(frame[row]).Append(TerminalControl.ResetStyle);
            _shown[row] = frame[row];
        }
        return output.ToString();
    }

    /// <summary>Forgets what is shown: the next frame is sent whole (after a resize, the terminal may have reflowed it).</summary>
    public void Invalidate() => _shown = null;
}
