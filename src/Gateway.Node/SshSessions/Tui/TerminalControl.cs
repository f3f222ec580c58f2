using System.Globalization;
using System.Text;

namespace Gateway.Node.SshSessions.Tui;

/// <summary>The control sequences the TUI sends (xterm's, which every current terminal follows).</summary>
public static class TerminalControl
{
    private const string Csi = "\u001b[";

    /// <summary>
    /// Alternate screen, cursor hidden, mouse reporting of presses, releases and drags (1002) in SGR
    /// form (1006), bracketed paste (2004, so that a paste arrives marked and is dropped), then a
    /// Primary Device Attributes request whose answer says whether OSC 52 clipboard writes work.
    /// </summary>
    public const string Enter = Csi + "?1049h" + Csi + "?25l" + Csi + "?1002h" + Csi + "?1006h" + Csi + "?2004h" + Csi + "c";

    /// <summary>
    /// Everything <see cref="Enter"/> turned on, off again, in the reference's order: main screen
    /// back first (leaving the alternate screen may bring back modes saved on entering it), then
    /// cursor shown, paste and mouse reporting off, colours reset.
    /// </summary>
    public const string Restore = Csi + "?1049l" + Csi + "?25h" + Csi + "?2004l" + Csi + "?1002l" + Csi + "?1003l" + Csi + "?1006l" + Csi + "0m";

    public const string ClearScreen = Csi + "0m" + Csi + "2J";

    public const string ResetStyle = Csi + "0m";

    public static string MoveTo(int row, int column) => string.Create(CultureInfo.InvariantCulture, $"{Csi}{row + 1};{column + 1}H");

    /// <summary>OSC 52: puts <paramref name="text"/> on the clipboard of the terminal the user sits at.</summary>
    public static string Clipboard(string text) => $"\u001b]52;c;{Convert.ToBase64String(Encoding.UTF8.GetBytes(text))}\u0007";
}
