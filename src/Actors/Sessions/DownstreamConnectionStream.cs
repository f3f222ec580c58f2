namespace Gateway.Actors.Sessions;

/// <summary>
/// The byte stream of one downstream connection through a tunnel (a forwarded-tcpip channel), as
/// the HTTP side (YARP, or the relay) uses it. Counts bytes both ways in fields that its
/// <see cref="DownstreamConnectionActor"/> reads once the connection ended, so the byte path sends
/// no messages. On a static forward it refuses a first byte that looks like SOCKS (0x04/0x05), so a
/// downstream cannot drive the client's SOCKS server. It ends one of two ways: its user disposes it,
/// or its actor closes it (the session ended, or the connection was kicked), which closes the
/// channel and fails the user's pending and later reads and writes.
/// </summary>
public sealed class DownstreamConnectionStream : Stream, IDownstreamConnection
{
    private readonly Stream _channel;
    private readonly bool _guardSocks;
    private readonly Action? _onSilentClose;
    private readonly Action? _cancelPendingRead;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sent;
    private long _received;
    private string? _error;
    private volatile string? _closedBy;
    private int _finished;

    /// <param name="channel">the channel's own stream; disposing it closes the channel</param>
    /// <param name="guardSocks">a static forward: refuse a SOCKS greeting as the first bytes</param>
    /// <param name="onSilentClose">called when the user disposed the stream after sending bytes and receiving none (a likely forward mismatch)</param>
    /// <param name="cancelPendingRead">wakes a read waiting on the channel, so closing does not wait for the peer</param>
    public DownstreamConnectionStream(Stream channel, bool guardSocks, Action? onSilentClose = null, Action? cancelPendingRead = null)
    {
        _channel = channel;
        _guardSocks = guardSocks;
        _onSilentClose = onSilentClose;
        _cancelPendingRead = cancelPendingRead;
    }

    /// <summary>Bytes written by the downstream side, sent to the upstream.</summary>
    public long BytesToUpstream => Interlocked.Read(ref _sent);

    /// <summary>Bytes read by the downstream side, received from the upstream.</summary>
    public long BytesToDownstream => Interlocked.Read(ref _received);

    /// <summary>The first failure seen on the stream, or why it was closed; null for a clean end.</summary>
    public string? Error => Volatile.Read(ref _error);

    /// <summary>Completes when the stream has ended, whichever side ended it.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Nothing to start: the HTTP proxy drives the stream.</summary>
    public void Start(Akka.Actor.IActorContext owner)
    {
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        int read;
        try
        {
            read = await _channel.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (_closedBy is not null)
        {
            throw new IOException(_closedBy, ex);
        }
        catch (Exception ex)
        {
            RecordError(ex.Message);
            throw;
        }
        // A read woken by the close ends as EOF on the channel; the user must see a failure, not
        // a clean end, so the relay drops both directions and YARP does not reuse the connection.
        if (read == 0) ThrowIfClosed();
        Interlocked.Add(ref _received, read);
        return read;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        if (_guardSocks && Interlocked.Read(ref _sent) == 0 && !buffer.IsEmpty && buffer.Span[0] is 0x04 or 0x05)
        {
            RecordError("a downstream tried to speak SOCKS through a static forward");
            throw new IOException(Error);
        }
        try
        {
            await _channel.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (_closedBy is not null)
        {
            throw new IOException(_closedBy, ex);
        }
        catch (Exception ex)
        {
            RecordError(ex.Message);
            throw;
        }
        Interlocked.Add(ref _sent, buffer.Length);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => _channel.FlushAsync(cancellationToken);
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous use only");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous use only");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>
    /// Ends the connection from the gateway's side: closes the channel without waiting for the peer
    /// and fails the user's reads and writes with <paramref name="reason"/>. A no-op once ended.
    /// </summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        _closedBy = reason;
        RecordError(reason);
        _cancelPendingRead?.Invoke();
        _ = CloseChannelAsync();
        _ended.TrySetResult();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _finished, 1) == 0)
        {
            try
            {
                _channel.Dispose();
            }
            finally
            {
                EndedByUser();
            }
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            try
            {
                await _channel.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                EndedByUser();
            }
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void EndedByUser()
    {
        if (BytesToDownstream == 0 && BytesToUpstream > 0) _onSilentClose?.Invoke();
        _ended.TrySetResult();
    }

    private async Task CloseChannelAsync()
    {
        try
        {
            await _channel.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The channel or its connection already failed: closed either way, nothing to report.
        }
    }

    private void ThrowIfClosed()
    {
        if (_closedBy is { } reason) throw new IOException(reason);
    }

    private void RecordError(string message) => Interlocked.CompareExchange(ref _error, message, null);
}
