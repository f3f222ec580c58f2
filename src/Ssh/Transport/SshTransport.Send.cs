using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Gateway.Ssh.Crypto;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Transport;

// Sending: two queues drained by one writer task. The transport queue (KEX messages,
// DISCONNECT, UNIMPLEMENTED) always flows. The application queue holds SendAsync and Post
// messages in one FIFO (so e.g. a posted CHANNEL_EOF never overtakes data sent before it) and is
// held between our KEXINIT and our NEWKEYS (RFC 4253 §7.1). SendAsync waits for one of a
// bounded number of slots (so at most OutboundQueueLimit x 256 KiB); Post never waits but has its
// own limits; the transport queue is bounded in bytes. A peer that owes more than a bound is
// disconnected: it provokes replies faster than it reads them.
public sealed partial class SshTransport
{
    /// <summary>Stop adding packets to one stream write beyond this many bytes.</summary>
    private const int BatchTarget = 256 * 1024;
    /// <summary>Bound on the buffers in one gathering send (Linux allows 1024 iovecs).</summary>
    private const int MaxSegments = 256;

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
    /// <summary>Bytes held by the transport queue (KEX messages, UNIMPLEMENTED replies).</summary>
    private long _transportBytes;

    // Owned by the writer task.
    private IPacketCipher _outCipher;
    private uint _outSeq;
    private long _outBytes;
    private long _outPackets;
    private long _outRekeyBytes = long.MaxValue;
    private bool _holding;
    private List<OutboundItem> _sealed = new();
    private List<ArraySegment<byte>> _segments = new();
    private int _sealedBytes;
    private byte[] _batch = [];

    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
        => SendAsync(payload, ReadOnlyMemory<byte>.Empty, cancellationToken);

    public ValueTask SendAsync(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        CheckPayload(head.Length + body.Length, head.IsEmpty ? body.Span : head.Span);
        return EnqueueApplicationAsync(OutboundItem.Create(head.Span, body.Span), cancellationToken);
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
        var item = OutboundItem.Create(payload, OutboundKind.Posted);
        var count = Interlocked.Increment(ref _controlCount);
        var bytes = Interlocked.Add(ref _controlBytes, item.Length);
        _applicationQueue.Enqueue(item);
        if (count > _options.PostQueueLimitMessages || bytes > _options.PostQueueLimitBytes)
        {
            Close(new SshConnectionClosedException(
                $"peer stopped reading: {count} messages ({bytes} bytes) waiting to be sent", DisconnectReason.ConnectionLost));
            return;
        }
        if (!CheckUnauthenticatedOwed()) return;
        Ring();
    }

    /// <summary>
    /// Before authentication a peer has earned no buffer space: what it owes us (replies queued
    /// because it does not read) is held to <see cref="SshTransportOptions.UnauthenticatedQueueLimitBytes"/>
    /// across the transport and posted queues. False when the connection was closed for it.
    /// </summary>
    private bool CheckUnauthenticatedOwed()
    {
        if (_authenticated) return true;
        var owed = Volatile.Read(ref _transportBytes) + Volatile.Read(ref _controlBytes);
        if (owed <= _options.UnauthenticatedQueueLimitBytes) return true;
        Close(new SshConnectionClosedException(
            $"peer stopped reading: {owed} bytes of replies waiting before authentication", DisconnectReason.ConnectionLost));
        return false;
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
        var bytes = Interlocked.Add(ref _transportBytes, item.Buffer.Length);
        _transportQueue.Enqueue(item);
        // A DISCONNECT always goes out; anything else beyond the bound means the peer provokes
        // replies (e.g. UNIMPLEMENTED for unknown messages) faster than it reads them.
        if (item.Kind != OutboundKind.Disconnect)
        {
            if (bytes > _options.TransportQueueLimitBytes)
            {
                Close(new SshConnectionClosedException(
                    $"peer stopped reading: {bytes} bytes of transport replies waiting to be sent", DisconnectReason.ConnectionLost));
                return;
            }
            if (!CheckUnauthenticatedOwed()) return;
        }
        Ring();
    }

    private void SendTransport(byte[] payload) => EnqueueTransport(OutboundItem.Create(payload));

    private void Ring() => _doorbell.Writer.TryWrite(true);

    private async Task WriterLoopAsync()
    {
        var cancellationToken = _closedCts.Token;
        using var writeTimeout = new CancellationTokenSource();
        TaskCompletionSource? disconnectWritten = null;
        var abandoned = false;
        try
        {
            while (await _doorbell.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _doorbell.Reader.TryRead(out _);
                while (true)
                {
                    var stop = FillBatch(out disconnectWritten);
                    if (_sealed.Count == 0) break;
                    writeTimeout.CancelAfter(_options.WriteTimeout);
                    // Until the write completes the socket may still read these buffers; if it
                    // fails they must not go back to the pool.
                    abandoned = true;
                    await WriteSealedAsync(writeTimeout.Token).ConfigureAwait(false);
                    if (!writeTimeout.TryReset()) throw new OperationCanceledException(writeTimeout.Token);
                    abandoned = false;
                    foreach (var item in _sealed) item.Release(clear: false);
                    _sealed.Clear();
                    _segments.Clear();
                    _sealedBytes = 0;
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
            if (abandoned)
            {
                // A write that failed or timed out may still be reading these in the socket layer:
                // leave the buffers (and the segment list) to the garbage collector.
                _sealed = new();
                _segments = new();
                _batch = [];
            }
            else
            {
                foreach (var item in _sealed) item.Release(clear: false);
                _sealed.Clear();
                _segments.Clear();
                ReleaseBatch();
            }
            DrainQueues();
            _outCipher.Dispose();
        }
    }

    /// <summary>
    /// Writes the sealed packets: on a socket as one gathering send straight from the message
    /// buffers; on any other stream copied into one buffer and written at once.
    /// </summary>
    private async ValueTask WriteSealedAsync(CancellationToken cancellationToken)
    {
        if (_socket is { } socket)
        {
            var sent = await socket.SendAsync(_segments, SocketFlags.None).WaitAsync(cancellationToken).ConfigureAwait(false);
            // A stream socket normally takes everything; finish a short send piece by piece.
            foreach (var segment in _segments)
            {
                if (sent >= segment.Count)
                {
                    sent -= segment.Count;
                    continue;
                }
                var rest = segment.AsMemory(sent);
                sent = 0;
                while (!rest.IsEmpty)
                {
                    var n = await socket.SendAsync(rest, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    rest = rest[n..];
                }
            }
            return;
        }
        EnsureBatchCapacity(_sealedBytes);
        var length = 0;
        foreach (var segment in _segments)
        {
            segment.AsSpan().CopyTo(_batch.AsSpan(length));
            length += segment.Count;
        }
        await _stream.WriteAsync(_batch.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        ReleaseBatch();
    }

    /// <summary>Seals queued messages until the batch is full or nothing may be sent. Returns true when a DISCONNECT was added.</summary>
    private bool FillBatch(out TaskCompletionSource? disconnectWritten)
    {
        disconnectWritten = null;
        while (_sealedBytes < BatchTarget && _sealed.Count < MaxSegments)
        {
            if (!_holding && _transportQueue.TryPeek(out var next) && next.Kind == OutboundKind.Disconnect)
            {
                // Messages queued before we decided to disconnect (e.g. a last USERAUTH_FAILURE)
                // go out before the DISCONNECT.
                while (_applicationQueue.TryDequeue(out var queued))
                {
                    Dequeued(queued);
                    Seal(queued);
                }
            }
            if (_transportQueue.TryDequeue(out var item))
            {
                Interlocked.Add(ref _transportBytes, -item.Buffer.Length);
                Seal(item);
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
                        if (keys.FollowUp is not null) Seal(OutboundItem.Create(keys.FollowUp));
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
            Seal(item);
            if (AutoRekeyAllowed && _round is null && (_outBytes >= _outRekeyBytes || _outPackets >= _options.RekeyPackets))
            {
                Trace($"rekey: {_outBytes} bytes / {_outPackets} packets sent with the current keys");
                _ = BeginKex();
            }
        }
        return false;
    }

    /// <summary>Frames, pads and encrypts one message in place (RFC 4253 §6) and adds it to the batch.</summary>
    private void Seal(OutboundItem item)
    {
        var cipher = _outCipher;
        var payloadLength = item.Length;
        var blockSize = Math.Max(8, cipher.BlockSize);
        var unpadded = (cipher.LengthIsAligned ? 5 : 1) + payloadLength;
        var padding = blockSize - unpadded % blockSize;
        if (padding < 4) padding += blockSize;
        while (5 + payloadLength + padding < 16) padding += blockSize;
        var packetLength = 1 + payloadLength + padding;
        var wireLength = 4 + packetLength + cipher.TagLength;
        if (wireLength > item.Buffer.Length)
        {
            item.Release();
            throw new InvalidOperationException($"packet of {wireLength} bytes exceeds its buffer ({item.Buffer.Length})");
        }
        var packet = item.Buffer.AsSpan(0, wireLength);
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)packetLength);
        packet[4] = (byte)padding;
        RandomNumberGenerator.Fill(packet.Slice(5 + payloadLength, padding));
        cipher.Seal(_outSeq, packet);
        _outSeq = unchecked(_outSeq + 1);
        _outBytes += wireLength;
        _outPackets++;
        _sealed.Add(item);
        _segments.Add(new ArraySegment<byte>(item.Buffer, 0, wireLength));
        _sealedBytes += wireLength;
    }

    private void EnsureBatchCapacity(int size)
    {
        if (_batch.Length >= size) return;
        if (_batch.Length > 0) ArrayPool<byte>.Shared.Return(_batch);
        _batch = ArrayPool<byte>.Shared.Rent(size);
    }

    private void ReleaseBatch()
    {
        var batch = _batch;
        _batch = [];
        // The batch only ever holds sealed (encrypted) packets, so it needs no clearing.
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
        else if (item.Kind == OutboundKind.Message)
        {
            _sendCapacity.Release();
        }
    }

    private void DrainQueues()
    {
        while (_transportQueue.TryDequeue(out var item))
        {
            Interlocked.Add(ref _transportBytes, -item.Buffer.Length);
            if (item.State is TaskCompletionSource tcs) tcs.TrySetResult();
            if (item.State is NewKeysState keys) keys.Cipher.Dispose();
            item.Release();
        }
        while (_applicationQueue.TryDequeue(out var item)) item.Release();
    }
}
