using System.Buffers.Binary;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Connection;

/// <summary>
/// The SSH connection protocol (RFC 4254) for either role: the channel table, global requests
/// and channel opens. Register it as the transport's handler for messages 80–127.
/// </summary>
public sealed class SshConnection : ISshMessageHandler, IAsyncDisposable
{
    private const string TcpIpForward = "tcpip-forward";
    private const string CancelTcpIpForward = "cancel-tcpip-forward";
    private const string NoMoreSessions = "no-more-sessions@openssh.com";

    private readonly ISshTransport _transport;
    private readonly SshConnectionOptions _options;
    private readonly ISshConnectionHandler _handler;
    private readonly object _gate = new();
    private readonly Dictionary<uint, SshChannel> _channels = new();
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
        lock (_gate)
        {
            if (_channels.TryGetValue(channel.LocalId, out var current) && ReferenceEquals(current, channel))
                _channels.Remove(channel.LocalId);
        }
        ChannelClosed?.Invoke(channel);
    }

    // ================================================================ global requests (outgoing)

    /// <summary>
    /// Sends a GLOBAL_REQUEST. With want_reply the result is the peer's answer (matched in
    /// order) and its response data; without it, (true, empty) once sent.
    /// </summary>
    public async Task<(bool Success, byte[] Data)> SendGlobalRequestAsync(string name, bool wantReply, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var pending = await SendGlobalRequestCoreAsync(name, wantReply, data, null, cancellationToken).ConfigureAwait(false);
        if (pending is null) return (true, []);
        return await pending.Reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<PendingGlobalRequest?> SendGlobalRequestCoreAsync(string name, bool wantReply, ReadOnlyMemory<byte> data, Action<bool, byte[]>? onReply, CancellationToken cancellationToken)
    {
        var message = SshMessageBuilder.Build(SshMessageNumber.GlobalRequest, w =>
        {
            w.WriteString(name);
            w.WriteBoolean(wantReply);
            w.WriteRaw(data.Span);
        });
        PendingGlobalRequest? pending = null;
        await _globalSendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                ThrowIfClosedLocked();
                if (wantReply)
                {
                    pending = new PendingGlobalRequest(onReply);
                    _pendingGlobalReplies.Enqueue(pending);
                }
            }
            // Once a reply is queued the request must go out, or FIFO matching would break.
            await _transport.SendAsync(message, pending is null ? cancellationToken : _transport.Closed).ConfigureAwait(false);
        }
        finally
        {
            _globalSendLock.Release();
        }
        return pending;
    }

    /// <summary>
    /// Client role: "tcpip-forward" with the bind address and port as given. Returns the bound
    /// port (the allocated one when <paramref name="port"/> is 0) or null when refused.
    /// </summary>
    public async Task<uint?> RequestRemoteForwardAsync(string bindAddress, uint port, CancellationToken cancellationToken = default)
    {
        var data = SshMessageBuilder.Build(w =>
        {
            w.WriteString(bindAddress);
            w.WriteUInt32(port);
        });
        uint? bound = null;
        // Registered on the receive loop when the reply arrives, so a forwarded-tcpip open that
        // follows the reply immediately is already recognised.
        var pending = await SendGlobalRequestCoreAsync(TcpIpForward, true, data, (success, response) =>
        {
            if (!success) return;
            var actual = port;
            if (port == 0)
            {
                if (response.Length < 4) return;
                actual = BinaryPrimitives.ReadUInt32BigEndian(response);
                if (actual is 0 or > 65535) return; // as OpenSSH: an impossible port is a failure
            }
            lock (_gate) _requestedForwards.Add((bindAddress, actual));
            bound = actual;
        }, cancellationToken).ConfigureAwait(false);
        await pending!.Reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return bound;
    }

    /// <summary>Client role: "cancel-tcpip-forward". Opens for that forward are refused from now on (as OpenSSH does).</summary>
    public async Task<bool> CancelRemoteForwardAsync(string bindAddress, uint port, CancellationToken cancellationToken = default)
    {
        lock (_gate) _requestedForwards.Remove((bindAddress, port));
        var data = SshMessageBuilder.Build(w =>
        {
            w.WriteString(bindAddress);
            w.WriteUInt32(port);
        });
        var (success, _) = await SendGlobalRequestAsync(CancelTcpIpForward, true, data, cancellationToken).ConfigureAwait(false);
        return success;
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
        channel.FailOpen(new SshChannelOpenException(reason, description));
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
                if (_channels.Count >= _options.MaxChannels)
                {
                    refusal = "too many channels";
                    reason = ChannelOpenFailureReason.ResourceShortage;
                }
                else
                {
                    channel = new SshChannel(this, _transport, _options, AllocateIdLocked(), request, outgoing: false);
                    channel.SetRemote(remoteId, window, maxPacket);
                    _channels.Add(channel.LocalId, channel);
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
                lock (_gate) _channels.Remove(channel.LocalId);
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

    private ValueTask OnGlobalRequest(ref SshReader reader)
    {
        var name = reader.ReadString();
        var wantReply = reader.ReadBoolean();
        ValueTask<(bool Success, byte[] Data)> decision;
        switch (name)
        {
            case TcpIpForward:
            {
                var bindAddress = reader.ReadString();
                var port = reader.ReadUInt32();
                reader.EnsureEnd();
                decision = DecideForward(new RemoteForwardRequest(bindAddress, port, wantReply));
                break;
            }
            case CancelTcpIpForward:
            {
                var bindAddress = reader.ReadString();
                var port = reader.ReadUInt32();
                reader.EnsureEnd();
                decision = DecideCancel(bindAddress, port);
                break;
            }
            case NoMoreSessions:
                lock (_gate) _noMoreSessions = true;
                decision = ValueTask.FromResult((true, Array.Empty<byte>()));
                break;
            default:
                try
                {
                    decision = _handler.OnGlobalRequestAsync(name, reader.ReadRemaining().ToArray());
                }
                catch (Exception)
                {
                    decision = ValueTask.FromResult((false, Array.Empty<byte>()));
                }
                break;
        }
        if (!wantReply)
        {
            if (!decision.IsCompleted) _ = ObserveAsync(decision);
            return ValueTask.CompletedTask;
        }
        return _globalReplies.EnqueueAsync(decision, (false, Array.Empty<byte>()), PostGlobalReply);
    }

    private static async Task ObserveAsync(ValueTask<(bool, byte[])> decision)
    {
        try { await decision.ConfigureAwait(false); }
        catch (Exception) { /* no reply was asked for */ }
    }

    private void PostGlobalReply((bool Success, byte[] Data) reply)
    {
        if (!reply.Success)
        {
            _transport.Post([SshMessageNumber.RequestFailure]);
            return;
        }
        var message = new byte[1 + reply.Data.Length];
        message[0] = SshMessageNumber.RequestSuccess;
        reply.Data.CopyTo(message, 1);
        _transport.Post(message);
    }

    private ValueTask<(bool, byte[])> DecideForward(RemoteForwardRequest request)
    {
        // As sshd: port 0 without want_reply cannot tell the client the port, so refuse.
        if (request.Port == 0 && !request.WantReply) return ValueTask.FromResult((false, Array.Empty<byte>()));
        if (request.Port > 65535) return ValueTask.FromResult((false, Array.Empty<byte>()));
        lock (_gate)
        {
            if (_activeForwards.Count + _forwardRequestsInFlight >= _options.MaxForwardRequests)
                return ValueTask.FromResult((false, Array.Empty<byte>()));
            _forwardRequestsInFlight++;
        }
        return DecideForwardAsync(request);
    }

    private async ValueTask<(bool, byte[])> DecideForwardAsync(RemoteForwardRequest request)
    {
        try
        {
            var decision = await _handler.OnRemoteForwardRequestAsync(request).ConfigureAwait(false);
            if (!decision.Accepted) return (false, []);
            var bound = request.Port;
            if (request.Port == 0)
            {
                if (decision.AllocatedPort is not { } allocated || allocated is 0 or > 65535) return (false, []);
                bound = allocated;
            }
            lock (_gate) _activeForwards.Add((request.BindAddress, bound));
            if (request.Port != 0) return (true, []);
            var data = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(data, bound);
            return (true, data);
        }
        finally
        {
            lock (_gate) _forwardRequestsInFlight--;
        }
    }

    private ValueTask<(bool, byte[])> DecideCancel(string bindAddress, uint port)
    {
        lock (_gate)
        {
            if (!_activeForwards.Contains((bindAddress, port))) return ValueTask.FromResult((false, Array.Empty<byte>()));
        }
        return DecideCancelAsync(bindAddress, port);
    }

    private async ValueTask<(bool, byte[])> DecideCancelAsync(string bindAddress, uint port)
    {
        var cancelled = await _handler.OnCancelRemoteForwardAsync(bindAddress, port).ConfigureAwait(false);
        if (cancelled)
            lock (_gate) _activeForwards.Remove((bindAddress, port));
        return (cancelled, []);
    }

    private void OnGlobalReply(bool success, ReadOnlySpan<byte> data)
    {
        PendingGlobalRequest? pending;
        lock (_gate)
        {
            if (!_pendingGlobalReplies.TryDequeue(out pending))
                throw new SshProtocolException(DisconnectReason.ProtocolError, "request reply without a request");
        }
        var bytes = data.ToArray();
        pending.OnReply?.Invoke(success, bytes);
        pending.Reply.TrySetResult((success, bytes));
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

    private sealed class PendingGlobalRequest(Action<bool, byte[]>? onReply)
    {
        public Action<bool, byte[]>? OnReply { get; } = onReply;
        public TaskCompletionSource<(bool Success, byte[] Data)> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
