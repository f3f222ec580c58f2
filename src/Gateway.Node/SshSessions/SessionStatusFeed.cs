using Gateway.Ssh;
using System.Text;
using System.Threading.Channels;
using Gateway.Actors.Sessions;
using Gateway.Ssh.Connection;

namespace Gateway.Node.SshSessions;

/// <summary>
/// The plain-text status stream of one SSH connection: forward requests and what they matched,
/// downstream connections opening and closing, warnings with their hints. Every line goes to the
/// log; a shell channel shows the recent history and then follows new lines. Never blocks the
/// writer: a client that does not read loses its oldest unsent lines, not the gateway's time.
/// </summary>
public sealed class SessionStatusFeed : ISessionStatusSink
{
    private const int HistoryLimit = 200;
    private const int PendingLimit = 1000;

    private readonly ILogger _logger;
    private readonly string _session;
    private readonly Queue<string> _history = new();
    private readonly List<Channel<string>> _followers = [];
    private readonly Lock _gate = new();

    public SessionStatusFeed(ILogger logger, string session)
    {
        _logger = logger;
        _session = session;
    }

    /// <summary>A status line holds peer text (forward addresses, refusal descriptions): escaped and bounded here, once for every sink.</summary>
    private const int LineLimit = 1024;

    public void Post(string line)
    {
        line = PeerText.Sanitize(line, LineLimit);
        if (line.StartsWith("warning:", StringComparison.Ordinal) || line.StartsWith("error:", StringComparison.Ordinal))
            _logger.LogWarning("ssh {Session}: {Line}", _session, line);
        else
            _logger.LogInformation("ssh {Session}: {Line}", _session, line);
        var stamped = $"{DateTime.UtcNow:HH:mm:ss} {line}";
        lock (_gate)
        {
            _history.Enqueue(stamped);
            while (_history.Count > HistoryLimit) _history.Dequeue();
            foreach (var follower in _followers) follower.Writer.TryWrite(stamped);
        }
    }

    /// <summary>Streams the history and then new lines to a shell channel until it closes.</summary>
    public async Task FollowAsync(SshChannel channel, bool terminal, string header, CancellationToken cancellationToken)
    {
        var lines = Channel.CreateBounded<string>(new BoundedChannelOptions(PendingLimit) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        string[] history;
        lock (_gate)
        {
            history = [.. _history];
            _followers.Add(lines);
        }
        var newline = terminal ? "\r\n" : "\n";
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = DrainInputAsync(channel, closed);
        try
        {
            await WriteAsync(channel, header + newline, closed.Token).ConfigureAwait(false);
            foreach (var line in history) await WriteAsync(channel, line + newline, closed.Token).ConfigureAwait(false);
            await foreach (var line in lines.Reader.ReadAllAsync(closed.Token).ConfigureAwait(false))
                await WriteAsync(channel, line + newline, closed.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SshConnectionClosedException)
        {
        }
        finally
        {
            lock (_gate) _followers.Remove(lines);
        }
    }

    private static ValueTask WriteAsync(SshChannel channel, string text, CancellationToken cancellationToken)
        => channel.Stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>
    /// Reads what the user types so the window keeps moving; Ctrl-C, Ctrl-D or "q" end the stream
    /// and close the channel (the SSH connection, and its tunnels, stay up with <c>-N</c> semantics
    /// only if the client asked for them: OpenSSH exits when its last session channel closes).
    /// </summary>
    private static async Task DrainInputAsync(SshChannel channel, CancellationTokenSource closed)
    {
        var buffer = new byte[256];
        try
        {
            int read;
            while ((read = await channel.Stream.ReadAsync(buffer, closed.Token).ConfigureAwait(false)) > 0)
            {
                if (buffer.AsSpan(0, read).IndexOfAny((byte)3, (byte)4, (byte)'q') >= 0) break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SshConnectionClosedException)
        {
        }
        await closed.CancelAsync().ConfigureAwait(false);
    }
}
