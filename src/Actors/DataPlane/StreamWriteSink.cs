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
                pending = WriteAsync(chunk.Bytes);
            }
            catch (Exception ex)
            {
                chunk.Release();
                Failed(ex);
                return;
            }
            if (pending.IsCompletedSuccessfully)
            {
                Count(chunk);
                Written(chunk);
                return;
            }
            _writing = pending;
            pending.ContinueWith(static (t, state) =>
            {
                var (logic, chunk) = ((Logic, ByteChunk))state!;
                if (t.IsCompletedSuccessfully)
                {
                    // Counted here, not in the callback: the bytes left even if the stage has stopped since.
                    logic.Count(chunk);
                    logic._onWritten(chunk);
                    return;
                }
                chunk.Release();
                logic._onFailed(t.Exception?.GetBaseException() ?? new OperationCanceledException());
            }, (this, chunk), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private Task WriteAsync(ReadOnlySequence<byte> bytes)
        {
            if (bytes.IsSingleSegment) return _stage._stream.WriteAsync(bytes.First).AsTask();
            return WriteSegmentsAsync(bytes);
        }

        private async Task WriteSegmentsAsync(ReadOnlySequence<byte> bytes)
        {
            foreach (var segment in bytes)
                await _stage._stream.WriteAsync(segment).ConfigureAwait(false);
        }

        private void Count(ByteChunk chunk)
        {
            if (chunk.IsPayload) _stage._written(chunk.Bytes.Length);
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
