using System.Text;
using Gateway.Ssh;
using Gateway.Ssh.Connection;

namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// Runs one <c>exec</c> request's command line on its session channel: stdout as channel data,
/// stderr as extended data, then always <c>exit-status</c>, EOF and close, so <c>ssh</c> exits
/// with the command's status. With a terminal (<c>ssh -t</c>) line ends become CR LF, as a pty would make them.
/// </summary>
public static class CliChannel
{
    public static async Task RunAsync(SshChannel channel, string commandLine, bool terminal, CliCommands commands, CliContext context, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(commands);
        CliResult result;
        try
        {
            result = await commands.RunAsync(commandLine, context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "ssh {Session}: command \"{Command}\" failed", context.SessionId, PeerText.Sanitize(commandLine));
            result = CliResult.Error("gateway: the command failed; the node's log has the details\n", CliExitCodes.Failure);
        }
        logger.LogInformation("ssh {Session}: command \"{Command}\" exited {Status}", context.SessionId, PeerText.Sanitize(commandLine), result.ExitCode);
        try
        {
            await WriteAsync(channel.Stream, result.Stdout, terminal, cancellationToken).ConfigureAwait(false);
            await WriteAsync(channel.StandardError, result.Stderr, terminal, cancellationToken).ConfigureAwait(false);
            await channel.SendExitStatusAsync((uint)result.ExitCode, cancellationToken).ConfigureAwait(false);
            await channel.SendEofAsync(cancellationToken).ConfigureAwait(false);
            await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SshConnectionClosedException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away: nobody is left to tell.
        }
    }

    private static async Task WriteAsync(Stream stream, string text, bool terminal, CancellationToken cancellationToken)
    {
        if (text.Length == 0) return;
        if (terminal) text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
    }
}
