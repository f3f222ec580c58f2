using Akka.Actor;
using Gateway.Actors.Sessions;

namespace Gateway.Node.Tunnels;

/// <summary>
/// A forwarded-tcpip channel as the HTTP side uses it. Counts bytes both ways; on a static
/// forward refuses a first byte that looks like SOCKS (0x04/0x05) so a downstream cannot drive
/// the client's SOCKS server; reports the connection's end to its actor (status stream) and,
/// when a static forward's client closed without sending anything, explains the likely mistake.
/// </summary>
internal sealed class TunnelChannelStream : Stream
{
    private readonly Stream _inner;
    private readonly IActorRef _connection;
    private readonly bool _guardSocks;
    private readonly Action? _onSilentClose;
    private long _sent;
    private long _received;
    private string? _error;
    private int _disposed;

    /// <param name="connection">this connection's <see cref="DownstreamConnectionActor"/>, told when it ends</param>
    public TunnelChannelStream(Stream inner, IActorRef connection, bool guardSocks, Action? onSilentClose)
    {
        _inner = inner;
        _connection = connection;
        _guardSocks = guardSocks;
        _onSilentClose = onSilentClose;
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
            Interlocked.Add(ref _received, read);
            return read;
        }
        catch (Exception ex)
        {
            _error ??= ex.Message;
            throw;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_guardSocks && Interlocked.Read(ref _sent) == 0 && !buffer.IsEmpty && buffer.Span[0] is 0x04 or 0x05)
        {
            _error = "a downstream tried to speak SOCKS through a static forward";
            throw new IOException(_error);
        }
        try
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _sent, buffer.Length);
        }
        catch (Exception ex)
        {
            _error ??= ex.Message;
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous use only");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous use only");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) Finish();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
            Report();
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Finish()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _inner.Dispose();
        Report();
    }

    private void Report()
    {
        var received = Interlocked.Read(ref _received);
        if (received == 0 && Interlocked.Read(ref _sent) > 0) _onSilentClose?.Invoke();
        _connection.Tell(new DownstreamConnectionActor.Ended(Interlocked.Read(ref _sent), received, _error));
    }
}
