using System.Buffers;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Gateway.Actors.DataPlane;

/// <summary>
/// A source that reads a <see cref="Stream"/> (a relay socket, or TLS over it) into pooled chunks
/// of up to <see cref="ChunkSize"/> bytes, one read per pull: nothing is read ahead of demand, so a
/// consumer that stops pulling leaves the bytes in the kernel and TCP slows the sender. Completes
/// at EOF; fails with the read's error.
/// </summary>
public sealed class StreamReadSource : GraphStage<SourceShape<ByteChunk>>
{
    /// <summary>Large enough that the graph's per-element cost is paid once per 64 KiB of bulk data.</summary>
    public const int ChunkSize = 64 * 1024;

    private readonly Stream _stream;

    public StreamReadSource(Stream stream)
    {
        _stream = stream;
        Shape = new SourceShape<ByteChunk>(Out);
    }

    public Outlet<ByteChunk> Out { get; } = new("stream.out");

    public override SourceShape<ByteChunk> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly Stream _stream;
        private readonly Outlet<ByteChunk> _out;
        private StageRead<int> _read = null!;
        private byte[]? _buffer;
        private bool _reading;

        public Logic(StreamReadSource stage) : base(stage.Shape)
        {
            _stream = stage._stream;
            _out = stage.Out;
            SetHandler(_out, this);
        }

        public override void PreStart()
        {
            _read = new StageRead<int>(GetAsyncCallback<int>(OnRead), GetAsyncCallback<Exception>(FailStage));
        }

        public override void OnPull()
        {
            _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
            ValueTask<int> pending;
            try
            {
                pending = _stream.ReadAsync(_buffer.AsMemory(0, ChunkSize));
            }
            catch (Exception ex)
            {
                FailStage(ex);
                return;
            }
            _reading = true;
            if (_read.CompletedNow(pending, out var read))
                OnRead(read);
        }

        private void OnRead(int read)
        {
            _reading = false;
            var buffer = _buffer!;
            _buffer = null;
            if (read == 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                CompleteStage();
                return;
            }
            Push(_out, new PooledChunk(buffer, read));
        }

        public override void OnDownstreamFinish(Exception cause) => CompleteStage();

        public override void PostStop()
        {
            // A read still pending owns its buffer until the stream is closed under it; the pool
            // does without that one rather than hand out memory a read may still write into.
            if (!_reading && _buffer is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
            _buffer = null;
        }
    }
}
