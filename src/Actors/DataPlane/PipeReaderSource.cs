using System.Buffers;
using System.IO.Pipelines;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Gateway.Actors.DataPlane;

/// <summary>
/// A source over a <see cref="PipeReader"/> (an SSH channel's input) that emits what the pipe holds
/// as it is, without copying: each element leases the pipe's buffers and advances the reader when
/// it is released. While a lease is out nothing more is read, so the pipe (and with it the SSH
/// channel's window) is the only buffer: a consumer that stops pulling stops the peer's sending.
/// Completes at the pipe's end; a cancelled pending read (the owner closing it) also completes.
/// </summary>
public sealed class PipeReaderSource : GraphStage<SourceShape<ByteChunk>>
{
    private readonly PipeReader _reader;

    public PipeReaderSource(PipeReader reader)
    {
        _reader = reader;
        Shape = new SourceShape<ByteChunk>(Out);
    }

    public Outlet<ByteChunk> Out { get; } = new("pipe.out");

    public override SourceShape<ByteChunk> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    /// <summary>The stage's logic; also the lease's owner, which is told when a lease comes back.</summary>
    private sealed class Logic : OutGraphStageLogic
    {
        private const int Idle = 0;
        private const int Leased = 1;
        private const int LeasedAndPulled = 2;

        private readonly PipeReader _reader;
        private readonly Outlet<ByteChunk> _out;
        private StageRead<ReadResult> _read = null!;
        private Action _onReturned = null!;
        private int _lease;
        private bool _reading;

        public Logic(PipeReaderSource stage) : base(stage.Shape)
        {
            _reader = stage._reader;
            _out = stage.Out;
            SetHandler(_out, this);
        }

        public override void PreStart()
        {
            _read = new StageRead<ReadResult>(GetAsyncCallback<ReadResult>(OnRead), GetAsyncCallback<Exception>(FailStage));
            _onReturned = GetAsyncCallback(Read);
        }

        public override void OnPull()
        {
            // A lease still out (an asynchronous boundary between here and the consumer): read when it returns.
            if (Interlocked.CompareExchange(ref _lease, LeasedAndPulled, Leased) == Leased) return;
            Read();
        }

        private void Read()
        {
            ValueTask<ReadResult> pending;
            try
            {
                pending = _reader.ReadAsync();
            }
            catch (Exception ex)
            {
                FailStage(ex);
                return;
            }
            _reading = true;
            if (_read.CompletedNow(pending, out var result))
                OnRead(result);
        }

        private void OnRead(ReadResult result)
        {
            _reading = false;
            var buffer = result.Buffer;
            if (result.IsCanceled || buffer.IsEmpty)
            {
                if (!result.IsCanceled) TryAdvance(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                    CompleteStage();
                else
                    Read();
                return;
            }
            Volatile.Write(ref _lease, Leased);
            Push(_out, new PipeLease(buffer, this));
        }

        /// <summary>Called by whoever consumed a lease, on any thread.</summary>
        internal void Returned(SequencePosition end)
        {
            TryAdvance(end);
            if (Interlocked.Exchange(ref _lease, Idle) == LeasedAndPulled) _onReturned();
        }

        private void TryAdvance(SequencePosition end)
        {
            try
            {
                _reader.AdvanceTo(end);
            }
            catch (InvalidOperationException)
            {
                // The pipe was completed (the channel closed) while the lease was out.
            }
        }

        public override void OnDownstreamFinish(Exception cause)
        {
            CompleteStage();
        }

        public override void PostStop()
        {
            // Wakes a read left waiting, so the channel's owner can complete the pipe at once.
            if (_reading) _reader.CancelPendingRead();
        }
    }

    /// <summary>The pipe's bytes from one read, valid until released.</summary>
    private sealed class PipeLease(ReadOnlySequence<byte> bytes, Logic owner) : ByteChunk
    {
        private int _released;

        public override ReadOnlySequence<byte> Bytes => bytes;

        public override void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Returned(bytes.End);
        }
    }
}
