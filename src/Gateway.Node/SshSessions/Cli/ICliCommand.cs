namespace Gateway.Node.SshSessions.Cli;

/// <summary>One internal command, run for an <c>exec</c> request on the gateway's SSH listener.</summary>
public interface ICliCommand
{
    /// <summary>The word that runs it, e.g. <c>whoami</c>.</summary>
    string Name { get; }

    /// <summary>How it is called, e.g. <c>routes [--json]</c>.</summary>
    string Usage { get; }

    /// <summary>One line for the help text.</summary>
    string Summary { get; }

    bool AcceptsJson { get; }

    /// <summary>How many plain arguments it takes (only <c>help</c> takes one, a command's name).</summary>
    int MaxArguments { get; }

    /// <summary>Runs with flags and arguments already checked against <see cref="AcceptsJson"/> and <see cref="MaxArguments"/>.</summary>
    Task<CliResult> RunAsync(CliInvocation invocation, CliContext context, CancellationToken cancellationToken);
}
