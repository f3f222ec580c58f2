using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Gateway.Ssh.Connection;

/// <summary>
/// The consumer's view of a channel's inbound pipe. It counts what the consumer actually
/// consumes, because that (not receipt) is what returns window to the peer.
/// </summary>
internal sealed class ChannelPipeReader : PipeReader
{
    private readonly PipeReader _inner;
    private readonly SshChannel _channel;
    private readonly bool _extended;
    private ReadOnlySequence<byte> _last;

    public ChannelPipeReader(PipeReader inner, SshChannel channel, bool extended)
    {
        _inner = inner;
        _channel = channel;
        _extended = extended;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var pending = _inner.ReadAsync(cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            _last = result.Buffer;
            return new ValueTask<ReadResult>(result);
        }
        return ReadSlowAsync(pending);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadSlowAsync(ValueTask<ReadResult> pending)
    {
        var result = await pending.ConfigureAwait(false);
        _last = result.Buffer;
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!_inner.TryRead(out result)) return false;
        _last = result.Buffer;
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var count = _last.Slice(_last.Start, consumed).Length;
        _inner.AdvanceTo(consumed, examined);
        _last = default;
        _channel.OnConsumed(count, _extended);
    }

    public override void CancelPendingRead() => _inner.CancelPendingRead();

    public override void Complete(Exception? exception = null)
    {
        _inner.Complete(exception);
        _channel.OnReaderCompleted(_extended);
    }
}
