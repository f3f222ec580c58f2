namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// One command line after splitting: the command, its flags and its arguments. The only flags are
/// <c>--json</c> and <c>--help</c> (<c>-h</c>); anything else that starts with <c>-</c> is an
/// unknown flag, which the command answers with exit status 2.
/// </summary>
public sealed record CliInvocation(string Command, bool Json, bool Help, IReadOnlyList<string> Arguments, IReadOnlyList<string> UnknownFlags)
{
    public const string JsonFlag = "--json";

    public static CliInvocation FromWords(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var command = words.Count > 0 ? words[0] : "";
        bool json = false, help = false;
        var arguments = new List<string>();
        var unknown = new List<string>();
        foreach (var word in words.Skip(1))
        {
            switch (word)
            {
                case JsonFlag: json = true; break;
                case "--help" or "-h": help = true; break;
                case ['-', _, ..]: unknown.Add(word); break;
                default: arguments.Add(word); break;
            }
        }
        return new CliInvocation(command, json, help, arguments, unknown);
    }
}
