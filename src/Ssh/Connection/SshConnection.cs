using System.Buffers.Binary;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Connection;

/// <summary>
/// The SSH connection protocol (RFC 4254) for either role: the channel table, global requests
/// and channel opens. Register it as the transport's handler for messages 80–127.
/// </summary>
public sealed partial class SshConnection : ISshMessageHandler, IAsyncDisposable
{
    private readonly ISshTransport _transport;
    private readonly SshConnectionOptions _options;
    private readonly ISshConnectionHandler _handler;
    private readonly object _gate = new();
    private readonly Dictionary<uint, SshChannel> _channels = new();
    /// <summary>Channels in <see cref="_channels"/> that the peer opened (guarded by _gate).</summary>
    private int _peerChannels;
    private readonly Queue<PendingGlobalRequest> _pendingGlobalReplies = new();
    private readonly SemaphoreSlim _globalSendLock = new(1, 1);
    private readonly OrderedReplies _globalReplies;
    private readonly HashSet<(string BindAddress, uint Port)> _activeForwards = new();
    private readonly HashSet<(string BindAddress, uint Port)> _requestedForwards = new();
    private readonly CancellationTokenRegistration _closedRegistration;
    private int _forwardRequestsInFlight;
    private bool _noMoreSessions;
    private Exception? _closedReason;

    public SshConnection(ISshTransport transport, SshConnectionOptions options, ISshConnectionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        options.Validate();
        _transport = transport;
        _options = options;
        _handler = handler;
        _globalReplies = new OrderedReplies(options.MaxPendingReplies);
        _closedRegistration = transport.Closed.Register(() => Shutdown(new SshConnectionClosedException("the SSH connection ended")));
    }

    public ISshTransport Transport => _transport;

    /// <summary>Open channels (not those being opened or already completed).</summary>
    public IReadOnlyCollection<SshChannel> Channels
    {
        get
        {
            lock (_gate)
                return _channels.Values.Where(c => c.Opened.IsCompletedSuccessfully && !c.Completion.IsCompleted).ToArray();
        }
    }

    /// <summary>Remote forwards this (server) side has accepted and not cancelled, as (bind address, bound port).</summary>
    public IReadOnlyCollection<(string BindAddress, uint Port)> ActiveRemoteForwards
    {
        get { lock (_gate) return _activeForwards.ToArray(); }
    }

    /// <summary>Raised after a channel is open (either direction).</summary>
    public event Action<SshChannel>? ChannelOpened;

    /// <summary>Raised when a channel has completed.</summary>
    public event Action<SshChannel>? ChannelClosed;

    // ================================================================ opening channels

    public Task<SshChannel> OpenSessionAsync(CancellationToken cancellationToken = default)
        => OpenChannelAsync(new ChannelOpenRequest(ChannelOpenRequest.Session), cancellationToken);

    public Task<SshChannel> OpenDirectTcpIpAsync(string host, uint port, string originatorIp, uint originatorPort, CancellationToken cancellationToken = default)
        => OpenChannelAsync(new ChannelOpenRequest(ChannelOpenRequest.DirectTcpIp, host, port, originatorIp, originatorPort), cancellationToken);

    /// <summary>Server role: a connection arrived on a remote forward; the address and port are sent as given.</summary>
    public Task<SshChannel> OpenForwardedTcpIpAsync(string connectedAddress, uint connectedPort, string originatorIp, uint originatorPort, CancellationToken cancellationToken = default)
        => OpenChannelAsync(new ChannelOpenRequest(ChannelOpenRequest.ForwardedTcpIp, connectedAddress, connectedPort, originatorIp, originatorPort), cancellationToken);

    /// <summary>
    /// Opens a channel and waits for the answer (bounded by ChannelOpenTimeout).
    /// OPEN_FAILURE becomes <see cref="SshChannelOpenException"/>.
    /// </summary>
    public async Task<SshChannel> OpenChannelAsync(ChannelOpenRequest request, CancellationToken cancellationToken = default)
    {
        SshChannel channel;
        lock (_gate)
        {
            ThrowIfClosedLocked();
            channel = new SshChannel(this, _transport, _options, AllocateIdLocked(), request, outgoing: true);
            _channels.Add(channel.LocalId, channel);
        }
        var message = SshMessageBuilder.Build(SshMessageNumber.ChannelOpen, w =>
        {
            w.WriteString(request.Type);
            w.WriteUInt32(channel.LocalId);
            w.WriteUInt32(_options.InitialWindowSize);
            w.WriteUInt32(_options.MaxPacketSize);
            if (request.Type is ChannelOpenRequest.DirectTcpIp or ChannelOpenRequest.ForwardedTcpIp)
            {
                w.WriteString(request.Address ?? "");
                w.WriteUInt32(request.Port);
                w.WriteString(request.OriginatorAddress ?? "");
                w.WriteUInt32(request.OriginatorPort);
            }
        });
        try
        {
            await _transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Never sent (or the connection is gone): no answer will come, so free the id now.
            lock (_gate) _channels.Remove(channel.LocalId);
            channel.Abort(ex);
            throw;
        }
        try
        {
            await channel.Opened.WaitAsync(_options.ChannelOpenTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            AbandonOpen(channel);
            throw;
        }
        ChannelOpened?.Invoke(channel);
        return channel;
    }

    /// <summary>
    /// We gave up waiting: if the peer still confirms, the channel is closed at once; if it
    /// refuses, the id is freed then. Until either, the id stays reserved.
    /// </summary>
    private void AbandonOpen(SshChannel channel)
    {
        _ = channel.Opened.ContinueWith(
            static (t, state) =>
            {
                if (t.IsCompletedSuccessfully) _ = ((SshChannel)state!).CloseAsync();
            },
            channel, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Why the peer may not open one more channel now, or null. See <see cref="SshConnectionOptions.MaxPeerChannels"/>.</summary>
    private string? PeerChannelRefusalLocked()
    {
        if (_channels.Count >= _options.MaxChannels || _peerChannels >= _options.MaxPeerChannels)
            return "too many channels";
        if ((_peerChannels + 1L) * _options.InitialWindowSize > _options.MaxPeerBufferedBytes)
            return "too much data buffered for this connection's channels";
        return null;
    }

    /// <summary>Takes a channel out of the table and out of the peer's count when it opened it.</summary>
    private void RemoveLocked(SshChannel channel)
    {
        if (_channels.TryGetValue(channel.LocalId, out var current) && ReferenceEquals(current, channel))
        {
            _channels.Remove(channel.LocalId);
            if (!channel.IsOutgoing) _peerChannels--;
        }
    }

    private uint AllocateIdLocked()
    {
        if (_channels.Count >= _options.MaxChannels)
            throw new SshChannelOpenException(ChannelOpenFailureReason.ResourceShortage, "too many channels");
        // Lowest free id, as OpenSSH does; the table is bounded by MaxChannels.
        uint id = 0;
        while (_channels.ContainsKey(id)) id++;
        return id;
    }

    internal void ReleaseChannel(SshChannel channel)
    {
        lock (_gate) RemoveLocked(channel);
        ChannelClosed?.Invoke(channel);
    }

    // ================================================================ receive loop

    public ValueTask HandleMessageAsync(ReadOnlyMemory<byte> payload)
    {
        // Messages still in flight when the connection ended have no one left to act on them.
        if (Volatile.Read(ref _closedReason) is not null) return ValueTask.CompletedTask;
        var span = payload.Span;
        if (span.IsEmpty) throw new SshProtocolException(DisconnectReason.ProtocolError, "empty message");
        var reader = new SshReader(span[1..]);
        switch (span[0])
        {
            case SshMessageNumber.ChannelData:
            {
                var channel = GetChannel(reader.ReadUInt32());
                var data = reader.ReadBinary();
                reader.EnsureEnd();
                channel.OnData(data, extended: false);
                return ValueTask.CompletedTask;
            }
            case SshMessageNumber.ChannelExtendedData:
            {
                var channel = GetChannel(reader.ReadUInt32());
                var type = reader.ReadUInt32();
                var data = reader.ReadBinary();
                reader.EnsureEnd();
                channel.OnExtendedData(type, data);
                return ValueTask.CompletedTask;
            }
            case SshMessageNumber.ChannelWindowAdjust:
            {
                var channel = GetChannel(reader.ReadUInt32());
                var bytes = reader.ReadUInt32();
                reader.EnsureEnd();
                channel.OnWindowAdjust(bytes);
                return ValueTask.CompletedTask;
            }
            case SshMessageNumber.ChannelEof:
            {
                var channel = GetChannel(reader.ReadUInt32());
                reader.EnsureEnd();
                channel.OnEof();
                return ValueTask.CompletedTask;
            }
            case SshMessageNumber.ChannelClose:
            {
                var channel = GetChannel(reader.ReadUInt32());
                reader.EnsureEnd();
                channel.OnClose();
                return ValueTask.CompletedTask;
            }
            case SshMessageNumber.ChannelRequest:
            {
                var channel = GetChannel(reader.ReadUInt32());
                return channel.OnRequest(reader.ReadRemaining(), _handler);
            }
            case SshMessageNumber.ChannelSuccess:
            case SshMessageNumber.ChannelFailure:
            {
                var channel = GetChannel(reader.ReadUInt32());
                reader.EnsureEnd();
                channel.OnRequestReply(span[0] == SshMessageNumber.ChannelSuccess);
                return ValueTask.CompletedTask;
            }
            case SshMessageNumber.ChannelOpen:
                return OnChannelOpen(ref reader);
            case SshMessageNumber.ChannelOpenConfirmation:
                OnChannelOpenConfirmation(ref reader);
                return ValueTask.CompletedTask;
            case SshMessageNumber.ChannelOpenFailure:
                OnChannelOpenFailure(ref reader);
                return ValueTask.CompletedTask;
            case SshMessageNumber.GlobalRequest:
                return OnGlobalRequest(ref reader);
            case SshMessageNumber.RequestSuccess:
                OnGlobalReply(true, reader.ReadRemaining());
                return ValueTask.CompletedTask;
            case SshMessageNumber.RequestFailure:
                OnGlobalReply(false, reader.ReadRemaining());
                return ValueTask.CompletedTask;
            default:
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"unexpected message {span[0]} in the connection protocol");
        }
    }

    private SshChannel GetChannel(uint localId)
    {
        lock (_gate)
        {
            if (_channels.TryGetValue(localId, out var channel)) return channel;
        }
        throw new SshProtocolException(DisconnectReason.ProtocolError, $"message for unknown channel {localId}");
    }

    private void OnChannelOpenConfirmation(ref SshReader reader)
    {
        var channel = GetChannel(reader.ReadUInt32());
        var remoteId = reader.ReadUInt32();
        var window = reader.ReadUInt32();
        var maxPacket = reader.ReadUInt32();
        if (!channel.IsOutgoing || channel.Opened.IsCompleted)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"unexpected open confirmation for channel {channel.LocalId}");
        channel.OnOpenConfirmed(remoteId, window, maxPacket);
    }

    private void OnChannelOpenFailure(ref SshReader reader)
    {
        var channel = GetChannel(reader.ReadUInt32());
        var reason = reader.ReadUInt32();
        var description = reader.ReadString();
        if (!reader.IsEmpty) reader.ReadString(); // language tag; some peers omit it
        if (!channel.IsOutgoing || channel.Opened.IsCompleted)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"unexpected open failure for channel {channel.LocalId}");
        lock (_gate) _channels.Remove(channel.LocalId);
        // The peer's description reaches logs, status streams and error pages.
        channel.FailOpen(new SshChannelOpenException(reason, PeerText.Sanitize(description, 256)));
    }

    private ValueTask OnChannelOpen(ref SshReader reader)
    {
        var type = reader.ReadString();
        var remoteId = reader.ReadUInt32();
        var window = reader.ReadUInt32();
        var maxPacket = reader.ReadUInt32();
        ChannelOpenRequest request;
        string? refusal = null;
        var reason = ChannelOpenFailureReason.AdministrativelyProhibited;
        switch (type)
        {
            case ChannelOpenRequest.Session:
                request = new ChannelOpenRequest(type);
                if (!_options.AllowSessions) refusal = "sessions are not allowed";
                else lock (_gate) if (_noMoreSessions) refusal = "no more sessions";
                break;
            case ChannelOpenRequest.DirectTcpIp:
            case ChannelOpenRequest.ForwardedTcpIp:
                request = new ChannelOpenRequest(type, reader.ReadString(), reader.ReadUInt32(), reader.ReadString(), reader.ReadUInt32());
                if (type == ChannelOpenRequest.DirectTcpIp)
                {
                    if (!_options.AllowDirectTcpIp) refusal = "direct-tcpip is not allowed";
                }
                else
                {
                    // RFC 4254 §7.2: only for a forward we requested (OpenSSH answers "open failed").
                    lock (_gate)
                        if (!_requestedForwards.Contains((request.Address!, request.Port))) refusal = "open failed";
                }
                break;
            default:
                request = new ChannelOpenRequest(type);
                refusal = "unknown channel type";
                reason = ChannelOpenFailureReason.UnknownChannelType;
                break;
        }

        SshChannel? channel = null;
        if (refusal is null)
        {
            lock (_gate)
            {
                if (_closedReason is not null) return ValueTask.CompletedTask;
                refusal = PeerChannelRefusalLocked();
                if (refusal is not null)
                {
                    reason = ChannelOpenFailureReason.ResourceShortage;
                }
                else
                {
                    channel = new SshChannel(this, _transport, _options, AllocateIdLocked(), request, outgoing: false);
                    channel.SetRemote(remoteId, window, maxPacket);
                    _channels.Add(channel.LocalId, channel);
                    _peerChannels++;
                }
            }
        }
        if (channel is null)
        {
            PostOpenFailure(remoteId, reason, refusal!);
            return ValueTask.CompletedTask;
        }
        _ = DecideOpenAsync(channel, remoteId);
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs the handler's decision off the receive loop and answers the open.</summary>
    private async Task DecideOpenAsync(SshChannel channel, uint remoteId)
    {
        ChannelOpenDecision decision;
        try
        {
            decision = await _handler.OnChannelOpenAsync(channel.OpenRequest).AsTask().WaitAsync(_options.ChannelOpenTimeout).ConfigureAwait(false);
            if (decision.Accepted)
            {
                _handler.OnChannelOpened(channel);
                decision.OnOpened?.Invoke(channel);
            }
        }
        catch (Exception)
        {
            decision = ChannelOpenDecision.Refuse(ChannelOpenFailureReason.ConnectFailed, "open failed");
        }

        try
        {
            if (!decision.Accepted)
            {
                lock (_gate) RemoveLocked(channel);
                channel.FailOpen(new SshChannelOpenException(decision.ReasonCode, decision.Description));
                PostOpenFailure(remoteId, decision.ReasonCode, decision.Description);
                return;
            }
            Span<byte> confirmation = stackalloc byte[17];
            confirmation[0] = SshMessageNumber.ChannelOpenConfirmation;
            BinaryPrimitives.WriteUInt32BigEndian(confirmation[1..], remoteId);
            BinaryPrimitives.WriteUInt32BigEndian(confirmation[5..], channel.LocalId);
            BinaryPrimitives.WriteUInt32BigEndian(confirmation[9..], _options.InitialWindowSize);
            BinaryPrimitives.WriteUInt32BigEndian(confirmation[13..], _options.MaxPacketSize);
            channel.AcceptInbound();
            _transport.Post(confirmation);
            channel.MarkConfirmed();
            ChannelOpened?.Invoke(channel);
        }
        catch (Exception ex)
        {
            // The transport is gone; the channel ends with it.
            channel.Abort(ex);
        }
    }

    private void PostOpenFailure(uint remoteId, uint reason, string description)
    {
        _transport.Post(SshMessageBuilder.Build(SshMessageNumber.ChannelOpenFailure, w =>
        {
            w.WriteUInt32(remoteId);
            w.WriteUInt32(reason);
            w.WriteString(description);
            w.WriteString("");
        }));
    }

    // ================================================================ ending

    private void ThrowIfClosedLocked()
    {
        if (_closedReason is not null) throw new SshConnectionClosedException("the SSH connection has ended", inner: _closedReason);
    }

    private void Shutdown(Exception reason)
    {
        SshChannel[] channels;
        PendingGlobalRequest[] pending;
        lock (_gate)
        {
            if (_closedReason is not null) return;
            _closedReason = reason;
            channels = _channels.Values.ToArray();
            _channels.Clear();
            _peerChannels = 0;
            pending = _pendingGlobalReplies.ToArray();
            _pendingGlobalReplies.Clear();
        }
        foreach (var channel in channels)
        {
            channel.Abort(reason);
            ChannelClosed?.Invoke(channel);
        }
        foreach (var request in pending) request.Reply.TrySetException(reason);
    }

    /// <summary>Fails every channel and pending request; the transport itself belongs to the caller.</summary>
    public ValueTask DisposeAsync()
    {
        _closedRegistration.Dispose();
        Shutdown(new ObjectDisposedException(nameof(SshConnection)));
        return ValueTask.CompletedTask;
    }
}
