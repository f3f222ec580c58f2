using System.Buffers.Binary;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Connection;

/// <summary>Global requests (RFC 4254 §4) and remote forwarding (§7.1), both directions.</summary>
public sealed partial class SshConnection
{
    private const string TcpIpForward = "tcpip-forward";
    private const string CancelTcpIpForward = "cancel-tcpip-forward";
    private const string NoMoreSessions = "no-more-sessions@openssh.com";

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

    // ================================================================ global requests (incoming)

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
            {
                PostDebug("exceeded maximum allowed port-forward requests");
                return ValueTask.FromResult((false, Array.Empty<byte>()));
            }
            _forwardRequestsInFlight++;
        }
        return DecideForwardAsync(request);
    }

    private async ValueTask<(bool, byte[])> DecideForwardAsync(RemoteForwardRequest request)
    {
        try
        {
            var decision = await _handler.OnRemoteForwardRequestAsync(request).ConfigureAwait(false);
            if (!decision.Accepted)
            {
                if (decision.Message is { Length: > 0 } reason) PostDebug(reason);
                return (false, []);
            }
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

    /// <summary>
    /// SSH_MSG_DEBUG with always_display set: the one way to tell an OpenSSH client why a request
    /// failed (it prints the text), since REQUEST_FAILURE carries none. Sent before the failure.
    /// </summary>
    private void PostDebug(string message)
        => _transport.Post(SshMessageBuilder.Build(SshMessageNumber.Debug, w =>
        {
            w.WriteBoolean(true);
            w.WriteString(message);
            w.WriteString("");
        }));

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

    private sealed class PendingGlobalRequest(Action<bool, byte[]>? onReply)
    {
        public Action<bool, byte[]>? OnReply { get; } = onReply;
        public TaskCompletionSource<(bool Success, byte[] Data)> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
