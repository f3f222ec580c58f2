namespace Gateway.Node.Relay;

/// <summary>
/// A relay connection this node dialed, as handed to the HTTP client: the network stream (socket,
/// or TLS over it), counted while open and listed under its node so that all of a node's
/// connections can be cut at once when the node stops answering (a pooled connection to a
/// partitioned or frozen node would otherwise hold its next request until the route timeout).
/// </summary>
public sealed class RelayConnection : Stream
{
    private readonly Stream _inner;
    private readonly Action<RelayConnection> _closed;
    private volatile string? _abortedBy;
    private int _disposed;
    private long _lastWrite;
    private long _lastRead;

    public RelayConnection(Stream inner, string nodeAddress, Action<RelayConnection> closed)
    {
        _inner = inner;
        NodeAddress = nodeAddress;
        _closed = closed;
    }

    public string NodeAddress { get; }

    /// <summary>
    /// Since when (<see cref="Environment.TickCount64"/>) this side has been waiting for an answer:
    /// bytes went out after the last bytes came in. Null when nothing is awaited.
    /// </summary>
    public long? AwaitingSince
    {
        get
        {
            var written = Volatile.Read(ref _lastWrite);
            return written > Volatile.Read(ref _lastRead) ? written : null;
        }
    }

    /// <summary>Closes the connection from this side; the user's pending and later reads and writes fail with <paramref name="reason"/>.</summary>
    public void Abort(string reason)
    {
        _abortedBy = reason;
        Dispose();
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read > 0) Volatile.Write(ref _lastRead, Environment.TickCount64);
            return read;
        }
        catch (Exception ex) when (_abortedBy is { } reason && ex is not IOException)
        {
            throw new IOException(reason, ex);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _lastWrite, Environment.TickCount64);
        }
        catch (Exception ex) when (_abortedBy is { } reason && ex is not IOException)
        {
            throw new IOException(reason, ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);
    public override void Flush() => _inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                _inner.Dispose();
            }
            finally
            {
                _closed(this);
            }
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                await _inner.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _closed(this);
            }
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
