using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Gateway.Ssh.Connection;

/// <summary>
/// A duplex <see cref="Stream"/> over a channel: reads drain the inbound pipe (0 at EOF), writes
/// wait for the peer's window. The main stream closes the channel when disposed; the
/// extended-data (stderr) stream does not.
/// </summary>
internal sealed class SshChannelStream : Stream
{
    private readonly SshChannel _channel;
    private readonly PipeReader _reader;
    private readonly bool _extended;
    private int _disposed;

    public SshChannelStream(SshChannel channel, PipeReader reader, bool extended)
    {
        _channel = channel;
        _reader = reader;
        _extended = extended;
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not IOException)
            {
                throw new IOException("the SSH channel failed: " + ex.Message, ex);
            }
            var data = result.Buffer;
            if (!data.IsEmpty)
            {
                var count = (int)Math.Min(data.Length, buffer.Length);
                var slice = data.Slice(0, count);
                slice.CopyTo(buffer.Span);
                _reader.AdvanceTo(slice.End);
                return count;
            }
            _reader.AdvanceTo(data.Start, data.End);
            if (result.IsCompleted) return 0;
            if (result.IsCanceled) throw new OperationCanceledException("read cancelled");
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("use ReadAsync");

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => _channel.WriteCoreAsync(buffer, _extended, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("use WriteAsync");

    public override void Flush() { }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || _extended) return;
        await _channel.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_extended && Interlocked.Exchange(ref _disposed, 1) == 0)
            _ = _channel.DisposeAsync().AsTask();
        base.Dispose(disposing);
    }
}
