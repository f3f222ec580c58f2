using System.IO.Pipelines;
using Akka.Actor;
using Akka.Streams;
using Gateway.Actors.DataPlane;

namespace Gateway.Actors.Sessions;

/// <summary>
/// A downstream connection that arrived on another node and reached this one over the relay: its
/// bytes run through a <see cref="DuplexByteGraph"/> between the relay connection and the tunnel
/// channel, materialized by its <see cref="DownstreamConnectionActor"/> (so the graph stops with
/// the actor, its session, or the node). It owns both ends: when the graph ends, or the gateway
/// closes it, the channel and the relay connection are closed, writes still in flight are
/// awaited (bounded) so the counts are final, and only then does <see cref="Ended"/> complete.
/// </summary>
public sealed class RelayedDownstream : IDownstreamConnection
{
    /// <summary>How long a write cut off by the close may take to settle before the counts are taken as they are.</summary>
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(5);

    private readonly PipeReader _tunnelInput;
    private readonly Stream _tunnel;
    private readonly Func<Task> _tunnelEof;
    private readonly Stream _network;
    private readonly Func<Task> _networkShutdownSend;
    private readonly ReadOnlyMemory<byte> _firstToDownstream;
    private readonly bool _guardSocks;
    private readonly Action? _onSilentClose;
    private readonly ByteCounts _counts = new();
    private readonly List<Task> _inFlight = [];
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DuplexByteGraph.Control? _graph;
    private volatile string? _closedBy;
    private string? _error;
    private int _finished;

    /// <param name="tunnelInput">the channel's input pipe (read without copies)</param>
    /// <param name="tunnel">the channel's stream, for writes; disposing it closes the channel</param>
    /// <param name="tunnelEof">sends the channel's EOF</param>
    /// <param name="network">the relay connection (socket, or TLS over it)</param>
    /// <param name="networkShutdownSend">half-closes the relay connection</param>
    /// <param name="firstToDownstream">sent on the relay connection before any tunnel byte (the relay's "open" reply)</param>
    /// <param name="guardSocks">a static forward: refuse a SOCKS greeting as the downstream's first bytes</param>
    /// <param name="onSilentClose">called when the downstream ended after sending bytes and receiving none (a likely forward mismatch)</param>
    public RelayedDownstream(PipeReader tunnelInput, Stream tunnel, Func<Task> tunnelEof, Stream network, Func<Task> networkShutdownSend,
        ReadOnlyMemory<byte> firstToDownstream, bool guardSocks, Action? onSilentClose = null)
    {
        _tunnelInput = tunnelInput;
        _tunnel = tunnel;
        _tunnelEof = tunnelEof;
        _network = network;
        _networkShutdownSend = networkShutdownSend;
        _firstToDownstream = firstToDownstream;
        _guardSocks = guardSocks;
        _onSilentClose = onSilentClose;
    }

    public long BytesToUpstream => _counts.ToUpstream;

    public long BytesToDownstream => _counts.ToDownstream;

    public string? Error => Volatile.Read(ref _error);

    public Task Ended => _ended.Task;

    public void Start(IActorContext owner)
    {
        if (_closedBy is not null) return;
        try
        {
            _graph = DuplexByteGraph.Run(
                GraphEnd.ForStream(_network, _networkShutdownSend),
                GraphEnd.ForPipe(_tunnelInput, _tunnel, _tunnelEof),
                _firstToDownstream, _guardSocks, _counts, LeftInFlight, owner.Materializer(), $"downstream-{owner.Self.Path.Name}");
        }
        catch (Exception ex)
        {
            RecordError(ex.Message);
            _ = FinishAsync(failed: true);
            return;
        }
        _graph.Completion.ContinueWith(t =>
        {
            // Stages stopped under a running graph: its actor (or the actor system) stopped, whose children stop before it tells us why.
            if (t.IsFaulted)
                RecordError(t.Exception!.GetBaseException() is AbruptStageTerminationException ? DownstreamConnectionActor.ClosedByGateway : t.Exception.GetBaseException().Message);
            _ = FinishAsync(failed: !t.IsCompletedSuccessfully);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public void Close(string reason)
    {
        if (_closedBy is not null || Volatile.Read(ref _finished) != 0) return;
        _closedBy = reason;
        RecordError(reason);
        _graph?.KillSwitch.Abort(new IOException(reason));
        _ = FinishAsync(failed: true);
    }

    private void LeftInFlight(Task write)
    {
        lock (_inFlight) _inFlight.Add(write);
    }

    private async Task FinishAsync(bool failed)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        // Closing both ends also ends writes the graph left waiting on a full window. The relay
        // socket closes at once; the channel's close waits for the SSH client's CLOSE (bounded by
        // the connection's channel close timeout), so the two run together.
        var tunnelClosed = CloseQuietlyAsync(_tunnel);
        await CloseQuietlyAsync(_network).ConfigureAwait(false);
        await tunnelClosed.ConfigureAwait(false);
        // The sinks hand over their writes in flight as they stop, before the graph's completion.
        if (_graph is { } graph)
            await graph.Completion.WaitAsync(SettleBound).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] pending;
        lock (_inFlight) pending = [.. _inFlight];
        if (pending.Length > 0)
            await Task.WhenAll(pending).WaitAsync(SettleBound).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!failed && BytesToDownstream == 0 && BytesToUpstream > 0) _onSilentClose?.Invoke();
        _ended.TrySetResult();
    }

    private static async Task CloseQuietlyAsync(Stream stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already failed: closed either way.
        }
    }

    private void RecordError(string message) => Interlocked.CompareExchange(ref _error, message, null);
}
