using Gateway.Ssh.Connection;

namespace Gateway.Node.SshSessions.Cli;

/// <summary>The internal commands as one SSH connection runs them: its context, and its forwards, which <c>status</c> reads.</summary>
public sealed class CliConnection
{
    private readonly CliCommands _commands;
    private readonly ILogger _logger;

    public CliConnection(CliContext context, SessionForwards forwards, CliCommands commands, ILogger logger)
    {
        Context = context;
        Forwards = forwards;
        _commands = commands;
        _logger = logger;
    }

    public CliContext Context { get; }

    public SessionForwards Forwards { get; }

    /// <summary>Runs an <c>exec</c> request's command line on its channel and closes the channel.</summary>
    public Task RunAsync(SshChannel channel, string commandLine, bool terminal, CancellationToken cancellationToken)
        => CliChannel.RunAsync(channel, commandLine, terminal, _commands, Context, _logger, cancellationToken);
}
