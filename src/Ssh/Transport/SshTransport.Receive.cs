using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Gateway.Ssh.Crypto;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Transport;

// Receiving: one loop reads a packet into the reusable input buffer, decrypts it in place and
// handles it before reading the next, so handlers see messages strictly in order.
public sealed partial class SshTransport
{
    private readonly TransportInputBuffer _input;

    // Owned by the receive loop.
    private IPacketCipher _inCipher;
    private uint _inSeq;
    private long _inBytes;
    private long _inPackets;
    private long _inRekeyBytes = long.MaxValue;
    private bool _skipNextPacket;
    private TaskCompletionSource<string>? _serviceTcs;
    private string? _requestedService;
    private bool _serviceAccepted;

    private async Task ReceiveLoopAsync()
    {
        var cancellationToken = _closedCts.Token;
        try
        {
            while (true)
            {
                var (payload, wireLength, sequence) = await ReadPacketAsync(cancellationToken).ConfigureAwait(false);
                await ProcessMessageAsync(payload, sequence).ConfigureAwait(false);
                _input.Consume(wireLength);
            }
        }
        catch (Exception ex)
        {
            await FailAsync(ex).ConfigureAwait(false);
        }
        finally
        {
            _input.Dispose();
            _inCipher.Dispose();
        }
    }

    /// <summary>Maps what ended the receive loop to the connection's outcome.</summary>
    private Task FailAsync(Exception ex)
    {
        if (IsClosing)
        {
            Close(null);
            return Task.CompletedTask;
        }
        switch (ex)
        {
            case SshProtocolException protocol:
                return DisconnectCoreAsync(protocol.Reason, protocol.Message, protocol);
            case SshConnectionClosedException closed:
                Close(closed);
                return Task.CompletedTask;
            case IOException or SocketException or ObjectDisposedException or OperationCanceledException:
                Close(new SshConnectionClosedException("connection lost: " + ex.Message, DisconnectReason.ConnectionLost, ex));
                return Task.CompletedTask;
            default:
                // A handler failed or a bug: still a clean DISCONNECT, and only the allowed types escape.
                return DisconnectCoreAsync(DisconnectReason.ByApplication, "internal error",
                    new SshConnectionClosedException("internal error: " + ex.Message, DisconnectReason.ByApplication, ex));
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(ReadOnlyMemory<byte> Payload, int WireLength, uint Sequence)> ReadPacketAsync(CancellationToken cancellationToken)
    {
        var cipher = _inCipher;
        await _input.FillAsync(4, cancellationToken).ConfigureAwait(false);
        var packetLength = cipher.DecryptLength(_inSeq, _input.Span(4));
        if (packetLength < 5 || packetLength > (uint)_options.MaxPacketSize)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"bad packet length {packetLength}");
        var blockSize = (uint)Math.Max(8, cipher.BlockSize);
        if ((cipher.LengthIsAligned ? packetLength + 4 : packetLength) % blockSize != 0)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"packet length {packetLength} is not a multiple of the cipher block size {blockSize}");
        var wireLength = 4 + (int)packetLength + cipher.TagLength;
        await _input.FillAsync(wireLength, cancellationToken).ConfigureAwait(false);
        var packet = _input.Span(wireLength);
        if (!cipher.Open(_inSeq, packet))
            throw new SshProtocolException(DisconnectReason.MacError, "message authentication code is incorrect");
        int padding = packet[4];
        if (padding < 4 || padding > packetLength - 2)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"bad padding length {padding} in a packet of {packetLength} bytes");

        var sequence = _inSeq;
        _inSeq = unchecked(_inSeq + 1);
        if (_inSeq == 0 && !_firstKexDone)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "sequence number wrapped during the initial key exchange");
        _inBytes += wireLength;
        _inPackets++;
        if (AutoRekeyAllowed && _round is null && (_inBytes >= _inRekeyBytes || _inPackets >= _options.RekeyPackets))
        {
            Trace($"rekey: {_inBytes} bytes / {_inPackets} packets received with the current keys");
            _ = BeginKex();
        }
        return (_input.Memory(5, (int)packetLength - 1 - padding), wireLength, sequence);
    }

    private ValueTask ProcessMessageAsync(ReadOnlyMemory<byte> payload, uint sequence)
    {
        var span = payload.Span;
        var number = span[0];
        if (_skipNextPacket)
        {
            // first_kex_packet_follows with a wrong guess: the guessed packet is discarded (RFC 4253 §7).
            _skipNextPacket = false;
            Trace($"ignored guessed key exchange packet {number}");
            return ValueTask.CompletedTask;
        }
        if (!_firstKexDone)
        {
            ProcessInitialKexMessage(span, number, sequence);
            return ValueTask.CompletedTask;
        }
        if (number >= SshMessageNumber.UserAuthRequest)
        {
            if (_round?.PeerKexInit is not null)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"message {number} received during key exchange");
            if (IsServer && !_serviceAccepted)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"message {number} before SERVICE_REQUEST");
            if (number == SshMessageNumber.UserAuthSuccess && !IsServer) OnAuthenticated();
            return DispatchAsync(payload);
        }
        ProcessTransportMessage(span, number, sequence);
        return ValueTask.CompletedTask;
    }

    private void ProcessInitialKexMessage(ReadOnlySpan<byte> span, byte number, uint sequence)
    {
        switch (number)
        {
            case SshMessageNumber.Disconnect:
                HandlePeerDisconnect(span);
                break;
            case SshMessageNumber.KexInit or SshMessageNumber.NewKeys or SshMessageNumber.KexEcdhInit or SshMessageNumber.KexEcdhReply:
                HandleKexMessage(span, number, sequence);
                break;
            case SshMessageNumber.Ignore or SshMessageNumber.Debug or SshMessageNumber.Unimplemented when !_strict:
                if (number == SshMessageNumber.Debug) HandleDebug(span);
                break;
            default:
                throw new SshProtocolException(DisconnectReason.ProtocolError, _strict
                    ? $"strict KEX violation: unexpected message {number} during the initial key exchange"
                    : $"unexpected message {number} during the initial key exchange");
        }
    }

    private void ProcessTransportMessage(ReadOnlySpan<byte> span, byte number, uint sequence)
    {
        switch (number)
        {
            case SshMessageNumber.Disconnect:
                HandlePeerDisconnect(span);
                break;
            case SshMessageNumber.Ignore:
                break;
            case SshMessageNumber.Debug:
                HandleDebug(span);
                break;
            case SshMessageNumber.Unimplemented:
                var reader = new SshReader(span[1..]);
                Trace($"peer did not implement our message with sequence number {reader.ReadUInt32()}");
                break;
            case SshMessageNumber.ServiceRequest:
                HandleServiceRequest(span);
                break;
            case SshMessageNumber.ServiceAccept:
                HandleServiceAccept(span);
                break;
            case SshMessageNumber.ExtInfo:
                HandleExtInfo(span);
                break;
            case SshMessageNumber.KexInit or SshMessageNumber.NewKeys or SshMessageNumber.KexEcdhInit or SshMessageNumber.KexEcdhReply:
                HandleKexMessage(span, number, sequence);
                break;
            default:
                SendTransport(SshMessageBuilder.Build(SshMessageNumber.Unimplemented, w => w.WriteUInt32(sequence)));
                break;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DispatchAsync(ReadOnlyMemory<byte> payload)
    {
        var handler = Volatile.Read(ref _handler);
        if (handler is null)
        {
            await _startedTcs.Task.WaitAsync(_closedCts.Token).ConfigureAwait(false);
            handler = Volatile.Read(ref _handler)!;
        }
        await handler.HandleMessageAsync(payload).ConfigureAwait(false);
    }

    private static void HandlePeerDisconnect(ReadOnlySpan<byte> span)
    {
        var reader = new SshReader(span[1..]);
        var reason = (DisconnectReason)reader.ReadUInt32();
        var description = "";
        try { description = reader.ReadString(); }
        catch (SshProtocolException) { /* a malformed description does not change the outcome */ }
        throw new SshConnectionClosedException($"peer disconnected ({reason}): {PeerText.Sanitize(description)}", reason);
    }

    private void HandleDebug(ReadOnlySpan<byte> span)
    {
        try
        {
            var reader = new SshReader(span[1..]);
            reader.ReadBoolean();
            Trace("peer debug message: " + PeerText.Sanitize(reader.ReadString()));
        }
        catch (SshProtocolException) { /* DEBUG content is informational only */ }
    }

    private void HandleServiceRequest(ReadOnlySpan<byte> span)
    {
        if (!IsServer)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "a server sent SERVICE_REQUEST");
        if (_round?.PeerKexInit is not null)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "SERVICE_REQUEST during key exchange");
        var reader = new SshReader(span[1..]);
        var name = reader.ReadString();
        if (name != "ssh-userauth")
            throw new SshProtocolException(DisconnectReason.ServiceNotAvailable, $"service '{PeerText.Sanitize(name)}' is not available");
        _serviceAccepted = true;
        Post(SshMessageBuilder.Build(SshMessageNumber.ServiceAccept, w => w.WriteString(name)));
    }

    private void HandleServiceAccept(ReadOnlySpan<byte> span)
    {
        var reader = new SshReader(span[1..]);
        var name = reader.ReadString();
        var pending = Interlocked.Exchange(ref _serviceTcs, null);
        if (IsServer || pending is null || name != _requestedService)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"unexpected SERVICE_ACCEPT for '{PeerText.Sanitize(name)}'");
        pending.TrySetResult(name);
    }

    private void HandleExtInfo(ReadOnlySpan<byte> span)
    {
        if (IsServer) return; // we do not offer ext-info-s, so a client's EXT_INFO carries nothing we use
        var reader = new SshReader(span[1..]);
        var count = reader.ReadUInt32();
        if (count > 64)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"EXT_INFO with {count} extensions");
        for (var i = 0u; i < count; i++)
        {
            var name = reader.ReadString();
            var value = reader.ReadBinary();
            if (name == "server-sig-algs")
            {
                var text = System.Text.Encoding.Latin1.GetString(value);
                ServerSignatureAlgorithms = text.Length == 0 ? [] : text.Split(',');
                Trace("server-sig-algs: " + PeerText.Sanitize(text));
            }
        }
    }

    /// <summary>
    /// Client role: asks for a service (RFC 4253 §10), normally <c>ssh-userauth</c>, and waits
    /// for SERVICE_ACCEPT. A refusal arrives as a DISCONNECT and fails this call.
    /// </summary>
    public async Task RequestServiceAsync(string serviceName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        if (IsServer) throw new InvalidOperationException("only a client requests services");
        var pending = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requestedService = serviceName;
        if (Interlocked.CompareExchange(ref _serviceTcs, pending, null) is not null)
            throw new InvalidOperationException("a service request is already pending");
        if (IsClosing)
        {
            Interlocked.Exchange(ref _serviceTcs, null);
            throw ClosedException();
        }
        await SendAsyncInternal(SshMessageBuilder.Build(SshMessageNumber.ServiceRequest, w => w.WriteString(serviceName))).ConfigureAwait(false);
        try
        {
            await pending.Task.WaitAsync(_options.HandshakeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await DisconnectCoreAsync(DisconnectReason.ProtocolError, "no SERVICE_ACCEPT",
                new SshConnectionClosedException($"no SERVICE_ACCEPT within {_options.HandshakeTimeout.TotalSeconds:0.#} s")).ConfigureAwait(false);
            throw ClosedException();
        }
    }

    /// <summary>Queues a transport message that must wait for key exchanges like application data (e.g. SERVICE_REQUEST).</summary>
    private ValueTask SendAsyncInternal(byte[] payload) => EnqueueApplicationAsync(OutboundItem.Create(payload), CancellationToken.None);
}
