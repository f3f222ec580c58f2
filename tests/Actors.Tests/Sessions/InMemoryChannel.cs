using System.IO.Pipelines;

namespace Gateway.Actors.Tests.Sessions;

/// <summary>
/// Both ends of a byte channel in memory, standing in for a forwarded-tcpip channel: the gateway's
/// end (what a <see cref="Gateway.Actors.Sessions.DownstreamConnectionStream"/> wraps) and the
/// upstream's end. Disposing one end ends the other end's reads, like a channel close.
/// </summary>
internal sealed class InMemoryChannel
{
    private readonly Pipe _toUpstream = new();
    private readonly Pipe _toGateway = new();

    public InMemoryChannel()
    {
        Gateway = new End(_toGateway.Reader, _toUpstream.Writer);
        Upstream = new End(_toUpstream.Reader, _toGateway.Writer);
    }

    public End Gateway { get; }
    public End Upstream { get; }

    public sealed class End(PipeReader input, PipeWriter output) : Stream
    {
        private readonly Stream _reader = input.AsStream();
        private readonly Stream _writer = output.AsStream();

        public PipeReader Input => input;
        public bool Disposed { get; private set; }

        /// <summary>This end sends EOF: the other end's reads end, its writes still arrive here.</summary>
        public void CompleteOutput() => output.Complete();

        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _reader.ReadAsync(buffer, cancellationToken);
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _writer.WriteAsync(buffer, cancellationToken);
            await _writer.FlushAsync(cancellationToken);
        }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !Disposed)
            {
                Disposed = true;
                output.Complete();
                input.Complete();
            }
            base.Dispose(disposing);
        }
    }
}
