namespace Gateway.Node.SshSessions.Cli;

/// <summary><c>help [COMMAND]</c>: every command, or one command's usage.</summary>
public sealed class HelpCommand(Func<IReadOnlyList<ICliCommand>> commands) : ICliCommand
{
    public string Name => "help";
    public string Usage => "help [COMMAND]";
    public string Summary => "this text, or one command's";
    public bool AcceptsJson => false;
    public int MaxArguments => 1;

    public Task<CliResult> RunAsync(CliInvocation invocation, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        if (invocation.Arguments.Count == 0) return Task.FromResult(CliResult.Output(CliHelp.General(commands())));
        var topic = commands().FirstOrDefault(c => c.Name == invocation.Arguments[0]);
        return Task.FromResult(topic is null
            ? CliResult.Error(CliHelp.UnknownCommand(invocation.Arguments[0], commands()), CliExitCodes.Failure)
            : CliResult.Output(CliHelp.Of(topic)));
    }
}
