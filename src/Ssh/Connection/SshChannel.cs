using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Connection;

/// <summary>
/// One channel (RFC 4254 §5): flow-controlled data both ways, extended data, EOF/CLOSE and
/// requests. Inbound data is copied once into a pipe bounded by the window we grant; the window
/// is returned to the peer only as the consumer reads. Outbound writes wait for the peer's window.
/// </summary>
public sealed class SshChannel : IAsyncDisposable
{
    private const uint ExtendedDataStderr = 1;

    private readonly SshConnection _connection;
    private readonly ISshTransport _transport;
    private readonly SshConnectionOptions _options;
    private readonly object _sync = new();
    private readonly Pipe _input;
    private readonly Pipe _errorInput;
    private readonly ChannelPipeReader _inputReader;
    private readonly ChannelPipeReader _errorReader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _requestLock = new(1, 1);
    private readonly byte[] _dataHeader = new byte[13];
    private readonly Queue<TaskCompletionSource<bool>> _pendingReplies = new();
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private uint _localWindow;
    private uint _unadjusted;
    private long _bufferedInput;
    private long _bufferedError;
    private bool _inputDiscarded;
    private bool _errorDiscarded;
    private long _remoteWindow;
    private uint _remoteMaxPacket;
    private TaskCompletionSource? _windowWaiter;
    private bool _acceptsInbound;
    private bool _eofSent;
    private bool _eofReceived;
    private bool _closeSent;
    private bool _closeReceived;
    private bool _released;
    private Exception? _abortReason;
    private Stream? _stream;
    private Stream? _standardError;
    private PipeWriter? _output;

    internal SshChannel(SshConnection connection, ISshTransport transport, SshConnectionOptions options, uint localId, ChannelOpenRequest request, bool outgoing)
    {
        _connection = connection;
        _transport = transport;
        _options = options;
        LocalId = localId;
        OpenRequest = request;
        IsOutgoing = outgoing;
        _localWindow = options.InitialWindowSize;
        // The window bounds what is buffered, so the pipe itself never needs to pause the writer
        // (which would stall the shared receive loop). The reader's continuation goes to the thread
        // pool: data is flushed under the channel's lock, and an inline continuation would run the
        // consumer there (docs/performance.md, "Tried and not kept").
        var pipeOptions = new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: 16 * 1024, useSynchronizationContext: false);
        _input = new Pipe(pipeOptions);
        _errorInput = new Pipe(pipeOptions);
        _inputReader = new ChannelPipeReader(_input.Reader, this, extended: false);
        _errorReader = new ChannelPipeReader(_errorInput.Reader, this, extended: true);
        Replies = new OrderedReplies(options.MaxPendingReplies);
    }

    public uint LocalId { get; }

    /// <summary>The connection this channel belongs to.</summary>
    public SshConnection Connection => _connection;

    /// <summary>The peer's id for this channel; valid once the channel is open.</summary>
    public uint RemoteId { get; private set; }

    public string Type => OpenRequest.Type;

    /// <summary>The open request with its type-specific fields (connected address, originator...).</summary>
    public ChannelOpenRequest OpenRequest { get; }

    /// <summary>True when this side sent the CHANNEL_OPEN.</summary>
    public bool IsOutgoing { get; }

    /// <summary>Largest data payload the peer accepts per packet.</summary>
    public uint RemoteMaxPacket => _remoteMaxPacket;

    /// <summary>Duplex stream: read = inbound data (0 at EOF), write = outbound data. Disposing closes the channel.</summary>
    public Stream Stream => _stream ??= new SshChannelStream(this, _inputReader, extended: false);

    /// <summary>Inbound data without copies; advancing it returns window to the peer.</summary>
    public PipeReader Input => _inputReader;

    /// <summary>Outbound data as a pipe (writes go through <see cref="Stream"/>'s flow control).</summary>
    public PipeWriter Output => _output ??= PipeWriter.Create(Stream, new StreamPipeWriterOptions(leaveOpen: true));

    /// <summary>
    /// Extended data type 1: writes send stderr, reads return the peer's stderr. Inbound stderr
    /// shares the channel window, so a consumer must read it (or complete <see cref="StandardErrorInput"/>).
    /// </summary>
    public Stream StandardError => _standardError ??= new SshChannelStream(this, _errorReader, extended: true);

    public PipeReader StandardErrorInput => _errorReader;

    /// <summary>Completes when CLOSE was both sent and received (or the close timed out, or the connection ended).</summary>
    public Task Completion => _completion.Task;

    /// <summary>From the peer's "exit-status" request (client role).</summary>
    public uint? ExitStatus { get; private set; }

    /// <summary>From the peer's "exit-signal" request (client role).</summary>
    public ExitSignalRequest? ExitSignal { get; private set; }

    public bool EofReceived { get { lock (_sync) return _eofReceived; } }

    internal OrderedReplies Replies { get; }

    internal Task Opened => _opened.Task;

    // ---------------------------------------------------------------- opening

    /// <summary>Outgoing open confirmed by the peer (receive loop).</summary>
    internal void OnOpenConfirmed(uint remoteId, uint remoteWindow, uint remoteMaxPacket)
    {
        lock (_sync)
        {
            RemoteId = remoteId;
            _remoteWindow = remoteWindow;
            _remoteMaxPacket = remoteMaxPacket;
            _acceptsInbound = true;
        }
        _opened.TrySetResult();
    }

    /// <summary>Incoming open: the peer's parameters are known at once; data may flow once we confirm.</summary>
    internal void SetRemote(uint remoteId, uint remoteWindow, uint remoteMaxPacket)
    {
        lock (_sync)
        {
            RemoteId = remoteId;
            _remoteWindow = remoteWindow;
            _remoteMaxPacket = remoteMaxPacket;
        }
    }

    /// <summary>Incoming open, just before our confirmation goes out: the peer may now address us.</summary>
    internal void AcceptInbound()
    {
        lock (_sync) _acceptsInbound = true;
    }

    /// <summary>Incoming open: our confirmation is queued, so our own messages may follow it.</summary>
    internal void MarkConfirmed() => _opened.TrySetResult();

    internal void FailOpen(Exception reason)
    {
        Abort(reason);
    }

    // ---------------------------------------------------------------- inbound (receive loop)

    internal void OnData(ReadOnlySpan<byte> data, bool extended)
    {
        lock (_sync)
        {
            if (!_acceptsInbound)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"data on channel {LocalId} before it was open");
            if ((uint)data.Length > _localWindow)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"channel {LocalId}: peer sent {data.Length} bytes with only {_localWindow} bytes of window");
            _localWindow -= (uint)data.Length;
            if (_closeSent || _eofReceived || _released || _abortReason is not null) return;
            var discard = extended ? _errorDiscarded : _inputDiscarded;
            if (discard)
            {
                ReturnWindowLocked((uint)data.Length);
                return;
            }
            var writer = extended ? _errorInput.Writer : _input.Writer;
            writer.Write(data);
            if (extended) _bufferedError += data.Length; else _bufferedInput += data.Length;
            // With pausing disabled the flush completes synchronously; it only wakes the reader.
            var flush = writer.FlushAsync();
            if (!flush.IsCompleted)
                _ = flush.AsTask();
        }
    }

    internal void OnExtendedData(uint dataType, ReadOnlySpan<byte> data)
    {
        if (dataType == ExtendedDataStderr)
        {
            OnData(data, extended: true);
            return;
        }
        // Unknown extended types are dropped but still count against the window.
        lock (_sync)
        {
            if ((uint)data.Length > _localWindow)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"channel {LocalId}: peer exceeded the window");
            _localWindow -= (uint)data.Length;
            ReturnWindowLocked((uint)data.Length);
        }
    }

    internal void OnWindowAdjust(uint bytes)
    {
        TaskCompletionSource? waiter;
        lock (_sync)
        {
            if (!_acceptsInbound)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"window adjust on channel {LocalId} before it was open");
            // RFC 4254 §5.2: the window may not exceed 2^32 - 1; cap rather than fail.
            _remoteWindow = Math.Min(_remoteWindow + bytes, uint.MaxValue);
            waiter = _windowWaiter;
            _windowWaiter = null;
        }
        waiter?.TrySetResult();
    }

    internal void OnEof()
    {
        lock (_sync)
        {
            if (!_acceptsInbound)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"EOF on channel {LocalId} before it was open");
            if (_eofReceived) return;
            _eofReceived = true;
            CompleteInputsLocked(null);
        }
    }

    internal void OnClose()
    {
        bool sendClose;
        TaskCompletionSource? waiter;
        lock (_sync)
        {
            if (!_acceptsInbound)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"CLOSE on channel {LocalId} before it was open");
            if (_closeReceived)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"second CLOSE on channel {LocalId}");
            _closeReceived = true;
            CompleteInputsLocked(null);
            sendClose = !_closeSent;
            _closeSent = true;
            waiter = _windowWaiter;
            _windowWaiter = null;
            if (sendClose) PostLocked(SshMessageNumber.ChannelClose);
        }
        waiter?.TrySetResult();
        TryRelease();
    }

    internal void OnRequestReply(bool success)
    {
        TaskCompletionSource<bool> pending;
        lock (_sync)
        {
            if (!_acceptsInbound || !_pendingReplies.TryDequeue(out pending!))
            {
                // After our CLOSE the pending requests were already answered with false.
                if (_acceptsInbound && _closeSent) return;
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"unexpected request reply on channel {LocalId}");
            }
        }
        pending.TrySetResult(success);
    }

    /// <summary>A CHANNEL_REQUEST (receive loop). Replies go out in arrival order.</summary>
    internal ValueTask OnRequest(ReadOnlySpan<byte> body, ISshConnectionHandler handler)
    {
        var reader = new SshReader(body);
        var type = reader.ReadString();
        var wantReply = reader.ReadBoolean();
        var request = ChannelRequest.Parse(type, reader.ReadRemaining());
        lock (_sync)
        {
            if (!_acceptsInbound)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"request on channel {LocalId} before it was open");
            if (_closeSent) return ValueTask.CompletedTask;
        }

        ValueTask<bool> decision;
        switch (request)
        {
            case ExitStatusRequest exit:
                ExitStatus = exit.ExitStatus;
                decision = ValueTask.FromResult(true);
                break;
            case ExitSignalRequest signal:
                ExitSignal = signal;
                decision = ValueTask.FromResult(true);
                break;
            case UnknownChannelRequest { RequestType: "keepalive@openssh.com" }:
                decision = ValueTask.FromResult(false);
                break;
            default:
                try
                {
                    decision = handler.OnChannelRequestAsync(this, request);
                }
                catch (Exception)
                {
                    decision = ValueTask.FromResult(false);
                }
                break;
        }

        if (!wantReply)
        {
            if (!decision.IsCompleted) _ = ObserveAsync(decision);
            return ValueTask.CompletedTask;
        }
        return Replies.EnqueueAsync(decision, false, PostReply);
    }

    private static async Task ObserveAsync(ValueTask<bool> decision)
    {
        try { await decision.ConfigureAwait(false); }
        catch (Exception) { /* no reply was asked for */ }
    }

    private void PostReply(bool success)
    {
        lock (_sync)
        {
            if (_closeSent || _abortReason is not null) return;
            PostLocked(success ? SshMessageNumber.ChannelSuccess : SshMessageNumber.ChannelFailure);
        }
    }

    // ---------------------------------------------------------------- consumer side

    internal void OnConsumed(long count, bool extended)
    {
        if (count <= 0) return;
        lock (_sync)
        {
            if (extended) _bufferedError -= count; else _bufferedInput -= count;
            ReturnWindowLocked((uint)count);
        }
    }

    internal void OnReaderCompleted(bool extended)
    {
        lock (_sync)
        {
            long unread;
            if (extended)
            {
                _errorDiscarded = true;
                unread = _bufferedError;
                _bufferedError = 0;
            }
            else
            {
                _inputDiscarded = true;
                unread = _bufferedInput;
                _bufferedInput = 0;
            }
            if (unread > 0) ReturnWindowLocked((uint)unread);
        }
    }

    /// <summary>Like OpenSSH's channel_check_window: adjust once half the window has been consumed.</summary>
    private void ReturnWindowLocked(uint count)
    {
        _unadjusted += count;
        if (_unadjusted < _options.InitialWindowSize / 2) return;
        if (_eofReceived || _closeSent || _closeReceived || _abortReason is not null) return;
        var adjust = _unadjusted;
        _unadjusted = 0;
        _localWindow += adjust;
        Span<byte> message = stackalloc byte[9];
        message[0] = SshMessageNumber.ChannelWindowAdjust;
        BinaryPrimitives.WriteUInt32BigEndian(message[1..], RemoteId);
        BinaryPrimitives.WriteUInt32BigEndian(message[5..], adjust);
        try
        {
            _transport.Post(message);
        }
        catch (Exception) when (_transport.Closed.IsCancellationRequested)
        {
            // Reading what is already buffered stays possible after the connection ended.
        }
    }

    // ---------------------------------------------------------------- outbound

    // Pooled builders: these run per packet, so their state machines are reused, not allocated.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> data, bool extended, CancellationToken cancellationToken)
    {
        if (data.IsEmpty) return;
        await _opened.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (!data.IsEmpty)
            {
                var count = await ReserveWindowAsync(data.Length, cancellationToken).ConfigureAwait(false);
                var headerLength = WriteDataHeader(extended, count);
                await _transport.SendAsync(_dataHeader.AsMemory(0, headerLength), data[..count], cancellationToken).ConfigureAwait(false);
                data = data[count..];
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private int WriteDataHeader(bool extended, int count)
    {
        var header = _dataHeader.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], RemoteId);
        if (!extended)
        {
            header[0] = SshMessageNumber.ChannelData;
            BinaryPrimitives.WriteUInt32BigEndian(header[5..], (uint)count);
            return 9;
        }
        header[0] = SshMessageNumber.ChannelExtendedData;
        BinaryPrimitives.WriteUInt32BigEndian(header[5..], ExtendedDataStderr);
        BinaryPrimitives.WriteUInt32BigEndian(header[9..], (uint)count);
        return 13;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReserveWindowAsync(int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_sync)
            {
                ThrowIfCannotSendLocked();
                if (_remoteWindow > 0)
                {
                    var chunk = Math.Min(Math.Max(_remoteMaxPacket, 1u), _options.MaxPacketSize);
                    var count = (int)Math.Min(Math.Min(wanted, _remoteWindow), chunk);
                    _remoteWindow -= count;
                    return count;
                }
                _windowWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _windowWaiter.Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void ThrowIfCannotSendLocked()
    {
        if (_abortReason is not null) throw new IOException("the SSH connection ended", _abortReason);
        if (_closeSent || _closeReceived) throw new IOException($"SSH channel {LocalId} is closed");
        if (_eofSent) throw new IOException($"EOF was already sent on SSH channel {LocalId}");
    }

    /// <summary>Sends EOF after all data written before it; reading stays possible.</summary>
    public async Task SendEofAsync(CancellationToken cancellationToken = default)
    {
        await _opened.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_sync)
            {
                if (_eofSent || _closeSent || _abortReason is not null) return;
                _eofSent = true;
            }
            await _transport.SendAsync(ChannelMessage(SshMessageNumber.ChannelEof), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Sends EOF (if not sent yet) and CLOSE, after any data packet in flight, and waits until the
    /// peer's CLOSE arrived or <see cref="SshConnectionOptions.ChannelCloseTimeout"/> passed.
    /// Writers still waiting for window fail with <see cref="IOException"/>.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _opened.Task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // never opened: nothing to close on the wire
        }

        TaskCompletionSource? waiter;
        bool send;
        lock (_sync)
        {
            send = !_closeSent && _abortReason is null;
            _closeSent = true;
            waiter = _windowWaiter;
            _windowWaiter = null;
        }
        waiter?.TrySetResult();
        if (send)
        {
            // The write lock puts EOF and CLOSE after any data packet in flight.
            using var lockTimeout = new CancellationTokenSource(_options.ChannelCloseTimeout);
            var locked = false;
            try
            {
                await _writeLock.WaitAsync(lockTimeout.Token).ConfigureAwait(false);
                locked = true;
            }
            catch (OperationCanceledException)
            {
            }
            try
            {
                bool sendEof;
                lock (_sync)
                {
                    sendEof = !_eofSent && _abortReason is null;
                    _eofSent = true;
                }
                using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(_transport.Closed, lockTimeout.Token);
                if (sendEof)
                    await _transport.SendAsync(ChannelMessage(SshMessageNumber.ChannelEof), sendTimeout.Token).ConfigureAwait(false);
                await _transport.SendAsync(ChannelMessage(SshMessageNumber.ChannelClose), sendTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_transport.Closed.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                if (locked) _writeLock.Release();
            }
            TryRelease();
            _ = EnforceCloseTimeoutAsync();
        }
        await _completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task EnforceCloseTimeoutAsync()
    {
        try
        {
            await _completion.Task.WaitAsync(_options.ChannelCloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The peer never answered CLOSE: free the buffers and finish; the id stays reserved
            // until its CLOSE arrives, so a late message cannot reach a new channel.
            lock (_sync) CompleteInputsLocked(null);
            FailPendingReplies();
            _completion.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync().ConfigureAwait(false);
        }
        catch (Exception) when (_transport.Closed.IsCancellationRequested)
        {
        }
    }

    public Task SendExitStatusAsync(uint exitStatus, CancellationToken cancellationToken = default)
        => SendRequestAsync(new ExitStatusRequest(exitStatus), wantReply: false, cancellationToken);

    public Task SendExitSignalAsync(string signal, bool coreDumped, string errorMessage, CancellationToken cancellationToken = default)
        => SendRequestAsync(new ExitSignalRequest(signal, coreDumped, errorMessage, ""), wantReply: false, cancellationToken);

    public Task<bool> SendRequestAsync(ChannelRequest request, bool wantReply, CancellationToken cancellationToken = default)
        => SendRequestAsync(request.Type, wantReply, request.Encode(), cancellationToken);

    /// <summary>
    /// Sends a CHANNEL_REQUEST. With <paramref name="wantReply"/> the result is the peer's
    /// answer (replies are matched in order); without it the result is true once sent. A
    /// channel that closes before answering yields false.
    /// </summary>
    public async Task<bool> SendRequestAsync(string type, bool wantReply, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await _opened.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var message = SshMessageBuilder.Build(SshMessageNumber.ChannelRequest, w =>
        {
            w.WriteUInt32(RemoteId);
            w.WriteString(type);
            w.WriteBoolean(wantReply);
            w.WriteRaw(data.Span);
        });
        TaskCompletionSource<bool>? reply = null;
        await _requestLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_sync)
            {
                ThrowIfClosedLocked();
                if (wantReply)
                {
                    reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _pendingReplies.Enqueue(reply);
                }
            }
            // Once a reply is expected the request must really go out, or FIFO matching breaks.
            await _transport.SendAsync(message, reply is null ? cancellationToken : _transport.Closed).ConfigureAwait(false);
        }
        finally
        {
            _requestLock.Release();
        }
        if (reply is null) return true;
        return await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void ThrowIfClosedLocked()
    {
        if (_abortReason is not null) throw new IOException("the SSH connection ended", _abortReason);
        if (_closeSent || _closeReceived) throw new IOException($"SSH channel {LocalId} is closed");
    }

    // ---------------------------------------------------------------- ending

    private void TryRelease()
    {
        lock (_sync)
        {
            if (_released || !_closeSent || !_closeReceived) return;
            _released = true;
            CompleteInputsLocked(null);
        }
        FailPendingReplies();
        _connection.ReleaseChannel(this);
        _completion.TrySetResult();
    }

    /// <summary>The connection ended (or an outgoing open failed): fail everything, send nothing.</summary>
    internal void Abort(Exception reason)
    {
        TaskCompletionSource? waiter;
        lock (_sync)
        {
            if (_abortReason is not null) return;
            _abortReason = reason;
            _released = true;
            CompleteInputsLocked(reason);
            waiter = _windowWaiter;
            _windowWaiter = null;
        }
        waiter?.TrySetResult();
        _opened.TrySetException(reason);
        _ = _opened.Task.Exception; // observed: the opener reports it
        FailPendingReplies();
        _completion.TrySetResult();
    }

    private void FailPendingReplies()
    {
        while (true)
        {
            TaskCompletionSource<bool>? pending;
            lock (_sync)
            {
                if (!_pendingReplies.TryDequeue(out pending)) return;
            }
            pending.TrySetResult(false);
        }
    }

    private void CompleteInputsLocked(Exception? error)
    {
        _input.Writer.Complete(error);
        _errorInput.Writer.Complete(error);
    }

    private byte[] ChannelMessage(byte messageNumber)
    {
        var message = new byte[5];
        message[0] = messageNumber;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(1), RemoteId);
        return message;
    }

    private void PostLocked(byte messageNumber)
    {
        Span<byte> message = stackalloc byte[5];
        message[0] = messageNumber;
        BinaryPrimitives.WriteUInt32BigEndian(message[1..], RemoteId);
        _transport.Post(message);
    }
}
