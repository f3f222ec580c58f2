using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace Gateway.Ssh.Transport;

/// <summary>
/// The receive side's one reusable buffer: reads from the stream in large chunks, hands out
/// packets in place (ciphers decrypt them there), grows to the largest packet seen and shrinks
/// back when idle. No allocation per packet. While data streams in (a read fills all the room
/// there was) it grows further, so that one read takes several packets instead of one system call
/// each; once reads come back small again it returns to its idle size.
/// </summary>
internal sealed class TransportInputBuffer : IDisposable
{
    private const int InitialSize = 4 * 1024;
    private const int IdleShrinkThreshold = 64 * 1024;
    private const int StreamingSize = 256 * 1024;

    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _streaming;

    public TransportInputBuffer(Stream stream)
    {
        _stream = stream;
        _buffer = [];
    }

    public int Buffered => _end - _start;

    public Span<byte> Span(int count) => _buffer.AsSpan(_start, count);

    public Memory<byte> Memory(int offset, int count) => _buffer.AsMemory(_start + offset, count);

    /// <summary>Reads until at least <paramref name="needed"/> bytes are buffered. EOF before that closes the connection.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FillAsync(int needed, CancellationToken cancellationToken)
    {
        if (Buffered >= needed) return;
        if (Buffered == 0 && !_streaming)
        {
            // Nothing half-read: give the buffer back while waiting for the peer. Streams that
            // cannot wait on a zero-byte read return at once and the normal read below waits.
            ReturnBuffer();
            await _stream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        }
        EnsureCapacity(_streaming ? Math.Max(needed, StreamingSize) : needed);
        while (Buffered < needed)
        {
            var room = _buffer.Length - _end;
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                throw new SshConnectionClosedException(
                    Buffered == 0 ? "connection closed by peer" : $"connection closed by peer in the middle of a packet ({Buffered} of {needed} bytes)");
            _end += read;
            _streaming = read == room;
        }
    }

    public void Consume(int count)
    {
        _start += count;
        if (_start < _end) return;
        _start = _end = 0;
        if (_buffer.Length > IdleShrinkThreshold && !_streaming) ReturnBuffer();
    }

    /// <summary>
    /// Reads one line ending in LF (CR LF or bare LF, as OpenSSH accepts) of at most
    /// <paramref name="maxLength"/> bytes including the terminator, and returns it without them.
    /// </summary>
    public async ValueTask<string> ReadLineAsync(int maxLength, CancellationToken cancellationToken)
    {
        var scanned = 0;
        while (true)
        {
            var window = _buffer.AsSpan(_start + scanned, Math.Min(Buffered, maxLength) - scanned);
            var index = window.IndexOf((byte)'\n');
            if (index >= 0)
            {
                var lineLength = scanned + index;
                var line = _buffer.AsSpan(_start, lineLength);
                if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
                if (line.IndexOf((byte)0) >= 0)
                    throw new SshProtocolException(DisconnectReason.ProtocolError, "identification line contains a NUL byte");
                var text = Encoding.Latin1.GetString(line);
                Consume(lineLength + 1);
                return text;
            }
            scanned += window.Length;
            if (scanned >= maxLength)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"identification line longer than {maxLength} bytes");
            await FillAsync(Buffered + 1, cancellationToken).ConfigureAwait(false);
        }
    }

    private void ReturnBuffer()
    {
        var buffer = _buffer;
        _buffer = [];
        _start = _end = 0;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
    }

    private void EnsureCapacity(int needed)
    {
        if (_buffer.Length - _start >= needed) return;
        if (_buffer.Length == 0)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, InitialSize));
            _start = _end = 0;
            return;
        }
        if (_buffer.Length >= needed)
        {
            _buffer.AsSpan(_start, Buffered).CopyTo(_buffer);
        }
        else
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(_start, Buffered).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer, clearArray: true);
            _buffer = larger;
        }
        _end -= _start;
        _start = 0;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
    }
}
