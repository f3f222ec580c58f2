using System.Buffers;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Gateway.Actors.DataPlane;

/// <summary>
/// A sink that writes each chunk to a <see cref="Stream"/> (an SSH channel's stream, or a relay
/// socket) and releases it once written; it pulls the next only then, so its demand is the
/// writer's pace: the channel's window or the TCP window, never a buffer of its own. When its
/// input completes it half-closes its side (<c>halfClose</c>: channel EOF, or shutdown(send))
/// and then completes its materialized task; an input failure or abrupt stop fails it.
/// </summary>
public sealed class StreamWriteSink : GraphStageWithMaterializedValue<SinkShape<ByteChunk>, Task>
{
    /// <summary>The largest write a multi-segment chunk is gathered into.</summary>
    public const int GatherSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly Func<Task> _halfClose;
    private readonly Action<long> _written;
    private readonly Action<Task>? _leftInFlight;

    /// <param name="stream">where the bytes go</param>
    /// <param name="halfClose">ends this direction once the input completed</param>
    /// <param name="written">told the payload bytes of each completed write, as it completes (also after the stage stopped)</param>
    /// <param name="leftInFlight">given a write still pending when the stage stops, so its owner can await it after closing the stream</param>
    public StreamWriteSink(Stream stream, Func<Task> halfClose, Action<long> written, Action<Task>? leftInFlight = null)
    {
        _stream = stream;
        _halfClose = halfClose;
        _written = written;
        _leftInFlight = leftInFlight;
        Shape = new SinkShape<ByteChunk>(In);
    }

    public Inlet<ByteChunk> In { get; } = new("stream.in");

    public override SinkShape<ByteChunk> Shape { get; }

    public override ILogicAndMaterializedValue<Task> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task>(new Logic(this, done), done.Task);
    }

    private sealed class Logic : InGraphStageLogic
    {
        private readonly StreamWriteSink _stage;
        private readonly TaskCompletionSource _done;
        private Action<ByteChunk> _onWritten = null!;
        private Action<Exception> _onFailed = null!;
        private Action _onHalfClosed = null!;
        private Task? _writing;
        private bool _finishing;
        private Exception? _failure;

        public Logic(StreamWriteSink stage, TaskCompletionSource done) : base(stage.Shape)
        {
            _stage = stage;
            _done = done;
            SetHandler(stage.In, this);
        }

        public override void PreStart()
        {
            _onWritten = GetAsyncCallback<ByteChunk>(Written);
            _onFailed = GetAsyncCallback<Exception>(Failed);
            _onHalfClosed = GetAsyncCallback(() =>
            {
                _done.TrySetResult();
                CompleteStage();
            });
            Pull(_stage.In);
        }

        public override void OnPush()
        {
            var chunk = Grab(_stage.In);
            Task pending;
            try
            {
                pending = WriteAsync(chunk);
            }
            catch (Exception ex)
            {
                chunk.Release();
                Failed(ex);
                return;
            }
            if (pending.IsCompletedSuccessfully)
            {
                Written(chunk);
                return;
            }
            _writing = pending;
            pending.ContinueWith(static (t, state) =>
            {
                var (logic, chunk) = ((Logic, ByteChunk))state!;
                if (t.IsCompletedSuccessfully)
                {
                    logic._onWritten(chunk);
                    return;
                }
                chunk.Release();
                logic._onFailed(t.Exception?.GetBaseException() ?? new OperationCanceledException());
            }, (this, chunk), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        /// <summary>
        /// Writes the chunk, counting each segment as its write completes: the count is part of the
        /// write's task, so it holds even when the stage stopped meanwhile, and whoever awaits a
        /// write left in flight sees it counted.
        /// </summary>
        private Task WriteAsync(ByteChunk chunk)
        {
            var bytes = chunk.Bytes;
            var counted = chunk.IsPayload;
            if (!bytes.IsSingleSegment) return WriteSegmentsAsync(bytes, counted);
            var write = _stage._stream.WriteAsync(bytes.First);
            if (!write.IsCompletedSuccessfully) return CountAfterAsync(write, bytes.Length, counted);
            if (counted) _stage._written(bytes.Length);
            return Task.CompletedTask;
        }

        private async Task CountAfterAsync(ValueTask write, long length, bool counted)
        {
            await write.ConfigureAwait(false);
            if (counted) _stage._written(length);
        }

        /// <summary>
        /// A sequence in several segments (an SSH channel's pipe holds 16 KiB segments) is gathered
        /// into writes of up to <see cref="GatherSize"/>: one copy costs less than a system call and
        /// a TCP segment per 16 KiB, on this node and on the node reading the other end.
        /// </summary>
        private async Task WriteSegmentsAsync(ReadOnlySequence<byte> bytes, bool counted)
        {
            var gather = ArrayPool<byte>.Shared.Rent((int)Math.Min(bytes.Length, GatherSize));
            try
            {
                while (!bytes.IsEmpty)
                {
                    var length = (int)Math.Min(bytes.Length, gather.Length);
                    bytes.Slice(0, length).CopyTo(gather);
                    await _stage._stream.WriteAsync(gather.AsMemory(0, length)).ConfigureAwait(false);
                    if (counted) _stage._written(length);
                    bytes = bytes.Slice(length);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(gather);
            }
        }

        private void Written(ByteChunk chunk)
        {
            _writing = null;
            chunk.Release();
            if (_finishing) HalfClose();
            else Pull(_stage.In);
        }

        public override void OnUpstreamFinish()
        {
            // The input is closed, which would end the stage at once: it stays until its last write and the half-close are done.
            SetKeepGoing(true);
            _finishing = true;
            if (_writing is null) HalfClose();
        }

        public override void OnUpstreamFailure(Exception e) => Failed(e);

        private void HalfClose()
        {
            Task closing;
            try
            {
                closing = _stage._halfClose();
            }
            catch (Exception ex)
            {
                Failed(ex);
                return;
            }
            closing.ContinueWith(static (t, state) =>
            {
                var logic = (Logic)state!;
                if (t.IsCompletedSuccessfully) logic._onHalfClosed();
                else logic._onFailed(t.Exception?.GetBaseException() ?? new OperationCanceledException());
            }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private void Failed(Exception ex)
        {
            _failure ??= ex;
            FailStage(ex);
        }

        /// <remarks>The materialized task ends here, after a write still in flight was handed over, so its owner sees it.</remarks>
        public override void PostStop()
        {
            if (_writing is { } pending) _stage._leftInFlight?.Invoke(pending);
            _done.TrySetException(_failure ?? new AbruptStageTerminationException(this));
        }
    }
}
