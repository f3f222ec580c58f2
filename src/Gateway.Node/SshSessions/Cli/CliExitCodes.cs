namespace Gateway.Node.SshSessions.Cli;

/// <summary>The exit statuses the internal commands send (<c>exit-status</c>), as most Unix tools use them.</summary>
public static class CliExitCodes
{
    public const int Success = 0;

    /// <summary>An unknown command, or a command that could not do its work.</summary>
    public const int Failure = 1;

    /// <summary>A known command used wrongly: an unknown flag, an unexpected argument, a broken quote.</summary>
    public const int Usage = 2;
}
