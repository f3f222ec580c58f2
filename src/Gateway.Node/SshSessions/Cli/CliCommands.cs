namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// The internal commands and how one command line is run: split, checked against the command's
/// flags and arguments, run, its failures turned into messages and exit statuses. Never throws for
/// anything the user typed.
/// </summary>
public sealed class CliCommands
{
    private static readonly TimeSpan RunBound = TimeSpan.FromSeconds(15);

    public CliCommands()
    {
        var all = new List<ICliCommand>();
        all.AddRange([new WhoamiCommand(), new RoutesCommand(), new StatusCommand(), new LogoutCommand(), new HelpCommand(() => all)]);
        All = all;
    }

    public IReadOnlyList<ICliCommand> All { get; }

    public async Task<CliResult> RunAsync(string commandLine, CliContext context, CancellationToken cancellationToken)
    {
        var (words, error) = CommandLineSplitter.Split(commandLine);
        if (error is not null) return CliResult.Error($"gateway: cannot read the command line: {error}\n", CliExitCodes.Usage);
        var invocation = CliInvocation.FromWords(words);
        if (invocation.Command.Length == 0 || (invocation.Command is "--help" or "-h" && words.Count == 1))
            return CliResult.Output(CliHelp.General(All));
        if (invocation.Command.StartsWith('-'))
            return CliResult.Error($"gateway: unknown flag \"{Gateway.Ssh.PeerText.Sanitize(invocation.Command)}\": the command comes first\nusage: COMMAND [--json], see help\n", CliExitCodes.Usage);
        var command = All.FirstOrDefault(c => c.Name == invocation.Command);
        if (command is null) return CliResult.Error(CliHelp.UnknownCommand(invocation.Command, All), CliExitCodes.Failure);
        if (invocation.Help) return CliResult.Output(CliHelp.Of(command));
        var usage = UsageError(command, invocation);
        if (usage is not null) return CliResult.Error($"gateway: {usage}\nusage: {command.Usage}\n", CliExitCodes.Usage);

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(RunBound);
        try
        {
            return await command.RunAsync(invocation, context, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or Akka.Actor.AskTimeoutException)
        {
            return CliResult.Error($"gateway: {command.Name}: no answer in time; try again\n", CliExitCodes.Failure);
        }
    }

    private static string? UsageError(ICliCommand command, CliInvocation invocation)
    {
        var flags = invocation.UnknownFlags.ToList();
        if (invocation.Json && !command.AcceptsJson) flags.Insert(0, CliInvocation.JsonFlag);
        if (flags.Count > 0) return $"unknown flag \"{Gateway.Ssh.PeerText.Sanitize(flags[0])}\" for \"{command.Name}\"";
        if (invocation.Arguments.Count > command.MaxArguments)
            return $"\"{command.Name}\" takes {(command.MaxArguments == 0 ? "no arguments" : $"at most {command.MaxArguments} argument")}, got \"{Gateway.Ssh.PeerText.Sanitize(invocation.Arguments[command.MaxArguments])}\"";
        return null;
    }
}
