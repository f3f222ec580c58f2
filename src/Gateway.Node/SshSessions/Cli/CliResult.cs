namespace Gateway.Node.SshSessions.Cli;

/// <summary>What one command produced: text for the channel's stdout and stderr, and its exit status.</summary>
public sealed record CliResult(string Stdout, string Stderr, int ExitCode)
{
    public static CliResult Output(string stdout) => new(stdout, "", CliExitCodes.Success);

    public static CliResult Error(string stderr, int exitCode) => new("", stderr, exitCode);
}
