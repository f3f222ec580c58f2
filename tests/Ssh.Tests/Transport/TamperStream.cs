namespace Gateway.Ssh.Tests.Transport;

/// <summary>
/// Wraps a connection's stream to misbehave on purpose: serve extra bytes before the real data,
/// corrupt one received byte, or stop reading altogether.
/// </summary>
internal sealed class TamperStream(Stream inner) : Stream
{
    private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _prefix = [];
    private int _prefixOffset;
    private volatile bool _corruptNextRead;
    private volatile bool _paused;

    public void Prefix(byte[] bytes) => _prefix = bytes;

    /// <summary>Flips the last byte of the next chunk read (part of a MAC/tag or ciphertext, never a lone length).</summary>
    public void CorruptNextRead() => _corruptNextRead = true;

    /// <summary>Stops reading: the peer's writes back up in TCP buffers and then in its queues.</summary>
    public void PauseReading() => _paused = true;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_prefixOffset < _prefix.Length)
        {
            var count = Math.Min(buffer.Length, _prefix.Length - _prefixOffset);
            _prefix.AsMemory(_prefixOffset, count).CopyTo(buffer);
            _prefixOffset += count;
            return count;
        }
        if (_paused) await _resume.Task.WaitAsync(cancellationToken);
        var read = await inner.ReadAsync(buffer, cancellationToken);
        if (read > 0 && _corruptNextRead)
        {
            _corruptNextRead = false;
            buffer.Span[read - 1] ^= 0x40;
        }
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _resume.TrySetResult();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
