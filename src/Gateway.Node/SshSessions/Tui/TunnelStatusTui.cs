using System.Text;
using System.Threading.Channels;
using Gateway.Actors.Sessions;
using Gateway.Ssh;
using Gateway.Ssh.Connection;

namespace Gateway.Node.SshSessions.Tui;

/// <summary>
/// The status TUI on one shell channel with a terminal: one loop owns the model, the view state
/// and the screen. Everything reaches it through one bounded inbox (the feed's lines and updates,
/// decoded input, resizes, a once-a-second tick), is applied in order, and then one frame is drawn
/// and only its changed rows sent, at most <see cref="MaxFramesPerSecond"/> times a second. The
/// tick redraws only while a connection is open (durations move); otherwise an idle TUI sends
/// nothing. The terminal is restored whichever way the loop ends: <c>q</c>/Ctrl-C, the client's
/// EOF, the gateway closing the connection (<see cref="EndAsync"/>, also on a node's shutdown),
/// or a failure.
/// </summary>
public sealed class TunnelStatusTui : IStatusViewer
{
    /// <summary>A frame costs milliseconds of CPU (Spectre lays out every widget anew): 20 a second is smooth enough for a status view.</summary>
    public const int MaxFramesPerSecond = 20;
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RestoreBound = TimeSpan.FromSeconds(2);

    private sealed record Resized(int Width, int Height);
    private sealed record Tick;
    private sealed record InputEnded;
    private sealed record Ending(string Reason);

    private readonly SshChannel _channel;
    private readonly SessionStatusFeed _feed;
    private readonly CancellationToken _closed;
    private readonly TunnelStatusModel _model;
    private readonly TuiViewState _view;
    private readonly TuiRenderer _renderer;
    private readonly ScreenDiff _screen = new();
    private readonly Channel<object> _inbox = Channel.CreateBounded<object>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TunnelStatusTui(SshChannel channel, SessionStatusFeed feed, TuiIdentity identity, string term, int width, int height, CancellationToken closed)
    {
        _channel = channel;
        _feed = feed;
        _closed = closed;
        _model = new TunnelStatusModel(identity);
        _view = new TuiViewState(width, height);
        _renderer = new TuiRenderer(ansi: true, TuiRenderer.ColorsFor(term));
    }

    public void Deliver(object item) => _inbox.Writer.TryWrite(item);

    /// <summary>A <c>window-change</c> request.</summary>
    public void Resize(int width, int height) => _inbox.Writer.TryWrite(new Resized(width, height));

    public Task EndAsync(string reason)
    {
        _inbox.Writer.TryWrite(new Ending(reason));
        return _finished.Task;
    }

    /// <summary>Runs until the user quits or the connection ends; the caller then closes the channel.</summary>
    public async Task RunAsync()
    {
        var seed = _feed.Watch(this);
        foreach (var line in seed.Lines) _model.Log(line.At, line.Text);
        if (seed.Forwards is not null) _model.Apply(seed.Forwards);
        if (seed.Open.Count > 0) _model.Apply(new ConnectionsUpdated(seed.Open));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_closed);
        string? farewell = null;
        try
        {
            _ = ReadInputAsync(stop.Token);
            _ = TickAsync(stop.Token);
            await WriteAsync(TerminalControl.Enter, stop.Token).ConfigureAwait(false);
            await DrawAsync(stop.Token).ConfigureAwait(false);
            var frame = TimeSpan.FromSeconds(1.0 / MaxFramesPerSecond);
            while (await _inbox.Reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
            {
                var redraw = false;
                var quit = false;
                while (!quit && _inbox.Reader.TryRead(out var item))
                {
                    switch (item)
                    {
                        case StatusLine line:
                            _model.Log(line.At, line.Text);
                            redraw = true;
                            break;
                        case SessionUpdate update:
                            _model.Apply(update);
                            redraw = true;
                            break;
                        case List<TuiInput> inputs:
                            foreach (var input in inputs)
                            {
                                var action = _view.Handle(input, RowCount, RemoteAt);
                                if (action == TuiAction.Quit) quit = true;
                                else if (action is CopyAction copy)
                                {
                                    await WriteAsync(TerminalControl.Clipboard(copy.Text), stop.Token).ConfigureAwait(false);
                                    _model.Log(DateTime.UtcNow, "Remote URL copied to clipboard");
                                    redraw = true;
                                }
                                else if (action != TuiAction.None) redraw = true;
                            }
                            break;
                        case Resized resized:
                            _view.Resize(resized.Width, resized.Height);
                            _screen.Invalidate();
                            redraw = true;
                            break;
                        case Tick:
                            redraw |= _model.Connections.OpenCount > 0;
                            break;
                        case InputEnded:
                            quit = true;
                            break;
                        case Ending ending:
                            farewell = $"gateway: {ending.Reason}";
                            quit = true;
                            break;
                    }
                }
                if (quit) break;
                if (redraw) await DrawAsync(stop.Token).ConfigureAwait(false);
                await Task.Delay(frame, stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SshConnectionClosedException or ObjectDisposedException)
        {
        }
        finally
        {
            _feed.Unwatch(this);
            await stop.CancelAsync().ConfigureAwait(false);
            await RestoreAsync(farewell).ConfigureAwait(false);
            _finished.TrySetResult();
        }
    }

    private int RowCount(TuiPanel panel) => panel switch
    {
        TuiPanel.Connections => _model.Connections.Rows().Count,
        TuiPanel.Requests => _model.Forwards.Requests.Count,
        TuiPanel.Forwards => _model.Forwards.Routes.Count,
        _ => _model.Logs.Lines().Count,
    };

    private string? RemoteAt(int row) => row >= 0 && row < _model.Forwards.Routes.Count ? _model.Forwards.Routes[row].Remote : null;

    private async Task DrawAsync(CancellationToken ct)
    {
        var output = _screen.Next(_renderer.Render(_model, _view, DateTime.UtcNow));
        if (output.Length > 0) await WriteAsync(output, ct).ConfigureAwait(false);
    }

    /// <summary>Alternate screen off, cursor shown, mouse and paste reporting off; bounded, so a client that stopped reading cannot hold the loop.</summary>
    private async Task RestoreAsync(string? farewell)
    {
        using var bound = new CancellationTokenSource(RestoreBound);
        try
        {
            await WriteAsync(TerminalControl.Restore + (farewell is null ? "" : farewell + "\r\n"), bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SshConnectionClosedException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection is gone: nothing reaches that terminal any more.
        }
    }

    private async Task WriteAsync(string text, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _channel.Stream.WriteAsync(bytes, ct).ConfigureAwait(false);
    }

    private async Task ReadInputAsync(CancellationToken ct)
    {
        var decoder = new TuiInputDecoder();
        var buffer = new byte[1024];
        try
        {
            int read;
            while ((read = await _channel.Stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                var inputs = decoder.Decode(buffer.AsSpan(0, read));
                if (inputs.Count > 0) _inbox.Writer.TryWrite(inputs);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SshConnectionClosedException or ObjectDisposedException)
        {
            if (ct.IsCancellationRequested) return;
        }
        _inbox.Writer.TryWrite(new InputEnded());
    }

    private async Task TickAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TickInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false)) _inbox.Writer.TryWrite(new Tick());
        }
        catch (OperationCanceledException)
        {
        }
    }
}
