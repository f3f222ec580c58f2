using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using Gateway.Ssh.Crypto;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Transport;

// Sending: two queues drained by one writer task. The transport queue (KEX messages,
// DISCONNECT, UNIMPLEMENTED) always flows. The application queue holds SendAsync and Post
// messages in one FIFO (so e.g. a posted CHANNEL_EOF never overtakes data sent before it) and is
// held between our KEXINIT and our NEWKEYS (RFC 4253 §7.1). SendAsync waits for one of a
// bounded number of slots; Post never waits but has its own limits.
public sealed partial class SshTransport
{
    /// <summary>Stop adding packets to one stream write beyond this many bytes.</summary>
    private const int BatchTarget = 256 * 1024;
    private const int InitialBatchSize = 16 * 1024;

    private readonly ConcurrentQueue<OutboundItem> _transportQueue = new();
    private readonly ConcurrentQueue<OutboundItem> _applicationQueue = new();
    private readonly SemaphoreSlim _sendCapacity;
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private int _controlCount;
    private long _controlBytes;

    // Owned by the writer task.
    private IPacketCipher _outCipher;
    private uint _outSeq;
    private long _outBytes;
    private long _outPackets;
    private long _outRekeyBytes = long.MaxValue;
    private bool _holding;
    private byte[] _batch = [];
    private int _batchLength;

    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
        => SendAsync(payload, ReadOnlyMemory<byte>.Empty, cancellationToken);

    public ValueTask SendAsync(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        CheckPayload(head.Length + body.Length, head.IsEmpty ? body.Span : head.Span);
        return EnqueueApplicationAsync(OutboundItem.CopyOf(head.Span, body.Span), cancellationToken);
    }

    private ValueTask EnqueueApplicationAsync(OutboundItem item, CancellationToken cancellationToken)
    {
        if (IsClosing)
        {
            item.Release();
            return ValueTask.FromException(ClosedException());
        }
        if (_sendCapacity.Wait(0))
        {
            _applicationQueue.Enqueue(item);
            Ring();
            return ValueTask.CompletedTask;
        }
        return EnqueueSlowAsync(item, cancellationToken);
    }

    private async ValueTask EnqueueSlowAsync(OutboundItem item, CancellationToken cancellationToken)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closedCts.Token);
            await _sendCapacity.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            item.Release();
            throw ClosedException();
        }
        catch
        {
            item.Release();
            throw;
        }
        if (IsClosing)
        {
            item.Release();
            throw ClosedException();
        }
        _applicationQueue.Enqueue(item);
        Ring();
    }

    public void Post(ReadOnlySpan<byte> payload)
    {
        CheckPayload(payload.Length, payload);
        if (IsClosing) return;
        var item = OutboundItem.CopyOf(payload, OutboundKind.Posted);
        var count = Interlocked.Increment(ref _controlCount);
        var bytes = Interlocked.Add(ref _controlBytes, item.Length);
        _applicationQueue.Enqueue(item);
        if (count > _options.PostQueueLimitMessages || bytes > _options.PostQueueLimitBytes)
        {
            Close(new SshConnectionClosedException(
                $"peer stopped reading: {count} messages ({bytes} bytes) waiting to be sent", DisconnectReason.ConnectionLost));
            return;
        }
        Ring();
    }

    private static void CheckPayload(int length, ReadOnlySpan<byte> firstPart)
    {
        if (length == 0) throw new ArgumentException("an SSH message needs at least its message number");
        if (length > SshTransportOptions.MaxPayloadSize)
            throw new ArgumentOutOfRangeException(nameof(length), $"message of {length} bytes exceeds {SshTransportOptions.MaxPayloadSize}");
        var number = firstPart[0];
        if (number is >= SshMessageNumber.KexInit and < SshMessageNumber.UserAuthRequest or SshMessageNumber.Disconnect or SshMessageNumber.ExtInfo)
            throw new ArgumentException($"message {number} belongs to the transport layer and cannot be sent by the layers above");
    }

    private Exception ClosedException() =>
        _failure as SshConnectionClosedException
        ?? new SshConnectionClosedException(_failure is null ? "connection closed" : "connection closed: " + _failure.Message,
            (_failure as SshProtocolException)?.Reason ?? DisconnectReason.ByApplication, _failure);

    /// <summary>Queues a transport message; these pass even while a key exchange holds the others back.</summary>
    private void EnqueueTransport(OutboundItem item)
    {
        _transportQueue.Enqueue(item);
        Ring();
    }

    private void SendTransport(byte[] payload) =>
        EnqueueTransport(new OutboundItem(payload, payload.Length, pooled: false));

    private void Ring() => _doorbell.Writer.TryWrite(true);

    private async Task WriterLoopAsync()
    {
        var cancellationToken = _closedCts.Token;
        using var writeTimeout = new CancellationTokenSource();
        TaskCompletionSource? disconnectWritten = null;
        try
        {
            while (await _doorbell.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _doorbell.Reader.TryRead(out _);
                while (true)
                {
                    var stop = FillBatch(out disconnectWritten);
                    if (_batchLength == 0)
                    {
                        // Idle: give the batch buffer back so idle connections hold no send buffer.
                        ReleaseBatch();
                        break;
                    }
                    writeTimeout.CancelAfter(_options.WriteTimeout);
                    // Close() disposes the stream, which ends a pending write; only the stall needs a token.
                    await _stream.WriteAsync(_batch.AsMemory(0, _batchLength), writeTimeout.Token).ConfigureAwait(false);
                    await _stream.FlushAsync(writeTimeout.Token).ConfigureAwait(false);
                    if (!writeTimeout.TryReset()) throw new OperationCanceledException(writeTimeout.Token);
                    _batchLength = 0;
                    if (stop)
                    {
                        disconnectWritten?.TrySetResult();
                        return;
                    }
                }
            }
        }
        catch (Exception ex)
        {
            if (!IsClosing)
            {
                var message = writeTimeout.IsCancellationRequested
                    ? $"peer stopped reading: a write did not complete within {_options.WriteTimeout.TotalSeconds:0.#} s"
                    : "connection lost while sending: " + ex.Message;
                Close(new SshConnectionClosedException(message, DisconnectReason.ConnectionLost, ex));
            }
        }
        finally
        {
            disconnectWritten?.TrySetResult();
            DrainQueues();
            ReleaseBatch();
            _outCipher.Dispose();
        }
    }

    /// <summary>Seals queued messages into the batch buffer until it is full or nothing may be sent. Returns true when a DISCONNECT was added.</summary>
    private bool FillBatch(out TaskCompletionSource? disconnectWritten)
    {
        disconnectWritten = null;
        while (_batchLength < BatchTarget)
        {
            if (!_holding && _transportQueue.TryPeek(out var next) && next.Kind == OutboundKind.Disconnect)
            {
                // Replies the upper layers posted before deciding to disconnect (e.g. a last
                // USERAUTH_FAILURE) go out before the DISCONNECT.
                while (_applicationQueue.TryDequeue(out var queued))
                {
                    Dequeued(queued);
                    try
                    {
                        Seal(queued.Payload);
                    }
                    finally
                    {
                        queued.Release();
                    }
                }
            }
            if (_transportQueue.TryDequeue(out var item))
            {
                try
                {
                    Seal(item.Payload);
                }
                finally
                {
                    item.Release();
                }
                switch (item.Kind)
                {
                    case OutboundKind.KexInit:
                        _holding = true;
                        break;
                    case OutboundKind.NewKeys:
                        var keys = (NewKeysState)item.State!;
                        _outCipher.Dispose();
                        _outCipher = keys.Cipher;
                        if (keys.ResetSequence) _outSeq = 0;
                        _outBytes = 0;
                        _outPackets = 0;
                        _outRekeyBytes = keys.RekeyBytes;
                        _holding = false;
                        if (keys.FollowUp is not null) Seal(keys.FollowUp);
                        break;
                    case OutboundKind.Disconnect:
                        disconnectWritten = (TaskCompletionSource?)item.State;
                        return true;
                }
                continue;
            }
            if (_holding) break;
            if (!_applicationQueue.TryDequeue(out item)) break;
            Dequeued(item);
            if (IsServer && item.Payload[0] == SshMessageNumber.UserAuthSuccess && !_authenticated) OnAuthenticated();
            try
            {
                Seal(item.Payload);
            }
            finally
            {
                item.Release();
            }
            if (AutoRekeyAllowed && _round is null && (_outBytes >= _outRekeyBytes || _outPackets >= _options.RekeyPackets))
            {
                Trace($"rekey: {_outBytes} bytes / {_outPackets} packets sent with the current keys");
                _ = BeginKex();
            }
        }
        return false;
    }

    /// <summary>Frames, pads and encrypts one payload into the batch (RFC 4253 §6).</summary>
    private void Seal(ReadOnlySpan<byte> payload)
    {
        var cipher = _outCipher;
        var blockSize = Math.Max(8, cipher.BlockSize);
        var unpadded = (cipher.LengthIsAligned ? 5 : 1) + payload.Length;
        var padding = blockSize - unpadded % blockSize;
        if (padding < 4) padding += blockSize;
        while (5 + payload.Length + padding < 16) padding += blockSize;
        var packetLength = 1 + payload.Length + padding;
        var wireLength = 4 + packetLength + cipher.TagLength;
        EnsureBatchCapacity(wireLength);
        var packet = _batch.AsSpan(_batchLength, wireLength);
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)packetLength);
        packet[4] = (byte)padding;
        payload.CopyTo(packet[5..]);
        RandomNumberGenerator.Fill(packet.Slice(5 + payload.Length, padding));
        cipher.Seal(_outSeq, packet);
        _outSeq = unchecked(_outSeq + 1);
        _batchLength += wireLength;
        _outBytes += wireLength;
        _outPackets++;
    }

    private void EnsureBatchCapacity(int extra)
    {
        if (_batch.Length - _batchLength >= extra) return;
        // First a small buffer (most bursts are a few small packets), then straight to full batch size.
        var size = _batch.Length == 0 ? Math.Max(InitialBatchSize, extra) : Math.Max(_batchLength + extra, BatchTarget + 64 * 1024);
        var larger = ArrayPool<byte>.Shared.Rent(size);
        _batch.AsSpan(0, _batchLength).CopyTo(larger);
        // The batch only ever holds sealed (encrypted) packets, so it needs no clearing.
        if (_batch.Length > 0) ArrayPool<byte>.Shared.Return(_batch);
        _batch = larger;
    }

    private void ReleaseBatch()
    {
        var batch = _batch;
        _batch = [];
        _batchLength = 0;
        if (batch.Length > 0) ArrayPool<byte>.Shared.Return(batch);
    }

    /// <summary>Frees what the item held in the queue: a SendAsync slot or its share of the Post limits.</summary>
    private void Dequeued(OutboundItem item)
    {
        if (item.Kind == OutboundKind.Posted)
        {
            Interlocked.Decrement(ref _controlCount);
            Interlocked.Add(ref _controlBytes, -item.Length);
        }
        else
        {
            _sendCapacity.Release();
        }
    }

    private void DrainQueues()
    {
        while (_transportQueue.TryDequeue(out var item))
        {
            if (item.State is TaskCompletionSource tcs) tcs.TrySetResult();
            if (item.State is NewKeysState keys) keys.Cipher.Dispose();
            item.Release();
        }
        while (_applicationQueue.TryDequeue(out var item)) item.Release();
    }
}
