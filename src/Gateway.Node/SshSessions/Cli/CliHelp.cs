using System.Text;
using Gateway.Ssh;

namespace Gateway.Node.SshSessions.Cli;

/// <summary>The help texts: the general one (the <c>help</c> command, unknown commands) and one command's usage.</summary>
public static class CliHelp
{
    public static string General(IReadOnlyList<ICliCommand> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var text = new StringBuilder();
        text.Append("usage: ssh [-p PORT] GATEWAY COMMAND [--json]\n\ncommands:\n");
        var width = commands.Max(c => c.Usage.Length) + 2;
        foreach (var command in commands)
            text.Append("  ").Append(command.Usage.PadRight(width)).Append(command.Summary).Append('\n');
        text.Append("""

            --json writes one JSON document for scripts (whoami, routes, status).
            Without a command: the tunnel status stream; with -N: tunnels only, no session.
            Exit status: 0 done, 1 unknown command or failure, 2 bad flag or argument.

            """);
        return text.ToString();
    }

    public static string Of(ICliCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return $"usage: {command.Usage}\n{command.Summary}\n";
    }

    public static string UnknownCommand(string name, IReadOnlyList<ICliCommand> commands)
        => $"gateway: unknown command \"{PeerText.Sanitize(name)}\"\n\n{General(commands)}";
}
