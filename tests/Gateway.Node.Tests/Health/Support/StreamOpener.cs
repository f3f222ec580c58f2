using System.Net;
using System.Net.Sockets;

namespace Gateway.Node.Tests.Health.Support;

/// <summary>
/// Stands in for a forwarded-tcpip channel: each open is a real TCP connection to a loopback
/// server. Counts the streams opened and the ones the checker disposed.
/// </summary>
public sealed class StreamOpener(IPEndPoint target)
{
    private int _opened;
    private int _disposed;

    public int Opened => Volatile.Read(ref _opened);

    public int Disposed => Volatile.Read(ref _disposed);

    public async ValueTask<Stream> OpenAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _opened);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target, ct);
        }
        catch
        {
            socket.Dispose();
            Interlocked.Increment(ref _disposed);
            throw;
        }
        return new TrackedStream(new NetworkStream(socket, ownsSocket: true), () => Interlocked.Increment(ref _disposed));
    }

    /// <summary>A stream that reports its first disposal.</summary>
    private sealed class TrackedStream(Stream inner, Action onDispose) : Stream
    {
        private int _disposed;

        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.ReadAsync(buffer, offset, count, ct);
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => inner.WriteAsync(buffer, ct);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.WriteAsync(buffer, offset, count, ct);
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                inner.Dispose();
                onDispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await inner.DisposeAsync();
                onDispose();
            }
            await base.DisposeAsync();
        }
    }
}
