using Gateway.Ssh;
using System.Text;
using System.Threading.Channels;
using Gateway.Actors.Sessions;
using Gateway.Ssh.Connection;

namespace Gateway.Node.SshSessions;

/// <summary>
/// The status of one SSH connection as its session actor posts it: forward requests and what they
/// matched, downstream connections opening and closing, warnings with their hints. Every line goes
/// to the log; a shell channel without a terminal shows the recent history and then follows new
/// lines (the plain-text stream); the status TUI watches it as an <see cref="IStatusViewer"/>, which
/// also gets the session's <see cref="SessionUpdate"/>s. Never blocks the writer: a client that
/// does not read loses its oldest unsent lines, not the gateway's time.
/// </summary>
public sealed class SessionStatusFeed : ISessionStatusSink
{
    private const int HistoryLimit = 200;
    private const int PendingLimit = 1000;

    private readonly ILogger _logger;
    private readonly string _session;
    private readonly Queue<StatusLine> _history = new();
    private readonly List<Channel<string>> _followers = [];
    private readonly List<IStatusViewer> _viewers = [];
    private readonly Dictionary<string, ConnectionSnapshot> _open = new(StringComparer.Ordinal);
    private ForwardsUpdated? _forwards;
    private volatile int _viewerCount;
    private readonly Lock _gate = new();

    public SessionStatusFeed(ILogger logger, string session)
    {
        _logger = logger;
        _session = session;
    }

    /// <summary>A status line holds peer text (forward addresses, refusal descriptions): escaped and bounded here, once for every sink.</summary>
    private const int LineLimit = 1024;

    public void Post(string line) => Post(line, connection: false);

    public void PostConnectionLine(string line) => Post(line, connection: true);

    public bool HasViewers => _viewerCount > 0;

    public void Publish(SessionUpdate update)
    {
        lock (_gate)
        {
            switch (update)
            {
                case ForwardsUpdated forwards:
                    _forwards = forwards;
                    break;
                case ConnectionsUpdated connections:
                    foreach (var row in connections.Connections)
                        if (row.ClosedAt is null) _open[row.ConnectionId] = row;
                        else _open.Remove(row.ConnectionId);
                    break;
            }
            foreach (var viewer in _viewers) viewer.Deliver(update);
        }
    }

    /// <summary>Adds a view; it gets every later line and update, and starts from the returned seed.</summary>
    public StatusViewSeed Watch(IStatusViewer viewer)
    {
        lock (_gate)
        {
            _viewers.Add(viewer);
            _viewerCount = _viewers.Count;
            return new StatusViewSeed([.. _history.Where(l => !l.Connection)], _forwards, [.. _open.Values]);
        }
    }

    public void Unwatch(IStatusViewer viewer)
    {
        lock (_gate)
        {
            _viewers.Remove(viewer);
            _viewerCount = _viewers.Count;
        }
    }

    /// <summary>Before the gateway closes the connection: every view restores its terminal and ends.</summary>
    public Task EndViewsAsync(string reason)
    {
        IStatusViewer[] viewers;
        lock (_gate) viewers = [.. _viewers];
        return Task.WhenAll(viewers.Select(v => v.EndAsync(reason)));
    }

    private void Post(string line, bool connection)
    {
        line = PeerText.Sanitize(line, LineLimit);
        if (line.StartsWith("warning:", StringComparison.Ordinal) || line.StartsWith("error:", StringComparison.Ordinal))
            _logger.LogWarning("ssh {Session}: {Line}", _session, line);
        else
            _logger.LogInformation("ssh {Session}: {Line}", _session, line);
        var entry = new StatusLine(DateTime.UtcNow, line, connection);
        var stamped = Stamp(entry);
        lock (_gate)
        {
            _history.Enqueue(entry);
            while (_history.Count > HistoryLimit) _history.Dequeue();
            foreach (var follower in _followers) follower.Writer.TryWrite(stamped);
            if (!connection) foreach (var viewer in _viewers) viewer.Deliver(entry);
        }
    }

    /// <summary>Streams the history and then new lines to a shell channel until it closes.</summary>
    public async Task FollowAsync(SshChannel channel, bool terminal, string header, CancellationToken cancellationToken)
    {
        var lines = Channel.CreateBounded<string>(new BoundedChannelOptions(PendingLimit) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        string[] history;
        lock (_gate)
        {
            history = [.. _history.Select(Stamp)];
            _followers.Add(lines);
        }
        var newline = terminal ? "\r\n" : "\n";
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = DrainInputAsync(channel, terminal, closed);
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

    private static string Stamp(StatusLine line) => $"{line.At:HH:mm:ss} {line.Text}";

    private static ValueTask WriteAsync(SshChannel channel, string text, CancellationToken cancellationToken)
        => channel.Stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>
    /// Reads what the client sends so the window keeps moving. With a terminal (a person, on a
    /// connection without forwards) Ctrl-C, Ctrl-D or "q" end the stream and close the channel.
    /// Without one (a script, a service) nothing it sends, not even EOF, ends the stream: OpenSSH
    /// exits when its last session channel closes, which would end the tunnels.
    /// </summary>
    private static async Task DrainInputAsync(SshChannel channel, bool terminal, CancellationTokenSource closed)
    {
        if (!terminal)
        {
            await DiscardInputAsync(channel, closed.Token).ConfigureAwait(false);
            return;
        }
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

    private static async Task DiscardInputAsync(SshChannel channel, CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        try
        {
            while (await channel.Stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0) { }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SshConnectionClosedException)
        {
        }
    }
}
