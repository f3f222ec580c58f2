using System.Text;

namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// Splits an <c>exec</c> request's command line into words the way a POSIX shell does for plain
/// words, without expansion: whitespace separates, <c>'...'</c> is literal, <c>"..."</c> keeps
/// <c>\"</c> and <c>\\</c> as escapes, and a backslash outside quotes escapes the next character.
/// OpenSSH joins the words after the host with spaces, so <c>ssh gw routes --json</c> and
/// <c>ssh gw 'routes --json'</c> arrive alike; quotes only matter to the gateway when the user
/// quotes twice.
/// </summary>
public static class CommandLineSplitter
{
    /// <summary>The words, or an error for an unterminated quote or a trailing backslash.</summary>
    public static (IReadOnlyList<string> Words, string? Error) Split(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord) words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                    break;
                case '\'':
                    var close = commandLine.IndexOf('\'', i + 1);
                    if (close < 0) return ([], "unterminated ' quote");
                    word.Append(commandLine, i + 1, close - i - 1);
                    inWord = true;
                    i = close;
                    break;
                case '"':
                    inWord = true;
                    for (i++; ; i++)
                    {
                        if (i >= commandLine.Length) return ([], "unterminated \" quote");
                        var d = commandLine[i];
                        if (d == '"') break;
                        if (d == '\\' && i + 1 < commandLine.Length && commandLine[i + 1] is '"' or '\\') d = commandLine[++i];
                        word.Append(d);
                    }
                    break;
                case '\\':
                    if (i + 1 >= commandLine.Length) return ([], "trailing backslash");
                    word.Append(commandLine[++i]);
                    inWord = true;
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }
        if (inWord) words.Add(word.ToString());
        return (words, null);
    }
}
