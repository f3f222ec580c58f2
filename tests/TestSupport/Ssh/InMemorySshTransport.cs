using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Gateway.Ssh;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Testing.Ssh;

/// <summary>
/// One end of an in-memory SSH transport pair: what one end sends reaches the other end's
/// handler, in order, on that end's own receive loop, as over a real connection after key
/// exchange. Like the real transport, the receive loop consumes DISCONNECT, IGNORE and DEBUG
/// itself (recording them for assertions) and answers a handler's <see cref="SshProtocolException"/>
/// with DISCONNECT. <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/> waits for a free
/// slot in a bounded queue; <see cref="Post"/> never waits, and a peer that makes it queue too
/// much is disconnected.
/// </summary>
public sealed class InMemorySshTransport : ISshTransport, IAsyncDisposable
{
    /// <summary>The session identifier both ends report (what publickey signatures cover).</summary>
    public static readonly byte[] FixedSessionId = Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray();

    private readonly Channel<(byte[] Payload, bool Slotted)> _inbound =
        Channel.CreateUnbounded<(byte[], bool)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _disconnectReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _slots;
    private readonly int _postLimit;
    private InMemorySshTransport _peer = null!;
    private Task? _loop;
    private int _queued;
    private int _ignores;
    private long _messagesSent;

    private InMemorySshTransport(bool isServer, EndPoint remote, int capacity, int postLimit)
    {
        IsServer = isServer;
        RemoteEndPoint = remote;
        _slots = new SemaphoreSlim(capacity, capacity);
        _postLimit = postLimit;
    }

    /// <param name="capacity">messages <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/> may have in flight per direction.</param>
    /// <param name="postLimit">messages queued towards a peer beyond which <see cref="Post"/> disconnects.</param>
    /// <param name="clientAddress">the client's address as the server end reports it.</param>
    public static (InMemorySshTransport Client, InMemorySshTransport Server) CreatePair(
        int capacity = 32, int postLimit = 100_000, IPEndPoint? clientAddress = null)
    {
        var client = new InMemorySshTransport(false, new IPEndPoint(IPAddress.Loopback, 22), capacity, postLimit);
        var server = new InMemorySshTransport(true, clientAddress ?? new IPEndPoint(IPAddress.Loopback, 50123), capacity, postLimit);
        client._peer = server;
        server._peer = client;
        return (client, server);
    }

    /// <summary>Receives what the peer sends (other than DISCONNECT, IGNORE and DEBUG).</summary>
    public ISshMessageHandler? Handler { get; set; }

    public bool IsServer { get; }
    public ReadOnlyMemory<byte> SessionId => FixedSessionId;
    public string RemoteVersion => IsServer ? "SSH-2.0-InMemoryClient" : "SSH-2.0-InMemoryServer";
    public EndPoint? RemoteEndPoint { get; }
    public CancellationToken Closed => _closed.Token;

    /// <summary>This end's receive loop; ends when the connection has ended.</summary>
    public Task Loop => _loop ?? Task.CompletedTask;

    /// <summary>Every message received from the peer, in order, transport messages included.</summary>
    public ConcurrentQueue<byte[]> Received { get; } = new();

    /// <summary>DEBUG and IGNORE messages that reached this end.</summary>
    public ConcurrentQueue<byte[]> DebugMessages { get; } = new();

    /// <summary>IGNORE messages received from the peer.</summary>
    public int IgnoresReceived => Volatile.Read(ref _ignores);

    /// <summary>Messages this end has sent or posted.</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>What this end's handler threw (what a real transport turns into DISCONNECT).</summary>
    public Exception? HandlerError { get; private set; }

    public (DisconnectReason Reason, string Description)? DisconnectReceived { get; private set; }
    public (DisconnectReason Reason, string Description)? DisconnectSent { get; private set; }
    public Task DisconnectReceivedTask => _disconnectReceived.Task;

    /// <summary>Starts delivering in both directions (idempotent).</summary>
    public void Start()
    {
        StartLoop();
        _peer.StartLoop();
    }

    private void StartLoop()
    {
        lock (_inbound) _loop ??= Task.Run(ReceiveLoopAsync);
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        await AcquireSlotAsync(cancellationToken);
        Deliver(payload.ToArray(), slotted: true);
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        await AcquireSlotAsync(cancellationToken);
        var message = new byte[head.Length + body.Length];
        head.CopyTo(message);
        body.CopyTo(message.AsMemory(head.Length));
        Deliver(message, slotted: true);
    }

    /// <summary>Like the real transport: dropped once closed; too much queued without reading closes the connection.</summary>
    public void Post(ReadOnlySpan<byte> payload)
    {
        if (_closed.IsCancellationRequested) return;
        if (Volatile.Read(ref _peer._queued) >= _postLimit)
        {
            Close();
            return;
        }
        Deliver(payload.ToArray(), slotted: false);
    }

    public Task DisconnectAsync(DisconnectReason reason, string description)
    {
        if (_closed.IsCancellationRequested) return Task.CompletedTask;
        DisconnectSent = (reason, description);
        Deliver(SshMessageBuilder.Build(SshMessageNumber.Disconnect, w =>
        {
            w.WriteUInt32((uint)reason);
            w.WriteString(description);
            w.WriteString("");
        }), slotted: false);
        Close();
        return Task.CompletedTask;
    }

    private async Task AcquireSlotAsync(CancellationToken cancellationToken)
    {
        if (_closed.IsCancellationRequested) throw new SshConnectionClosedException("transport closed");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        try
        {
            await _slots.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new SshConnectionClosedException("transport closed");
        }
    }

    private void Deliver(byte[] payload, bool slotted)
    {
        Interlocked.Increment(ref _messagesSent);
        Interlocked.Increment(ref _peer._queued);
        if (!_peer._inbound.Writer.TryWrite((payload, slotted)))
        {
            // The peer has closed: the message is lost, as on a closed socket.
            Interlocked.Decrement(ref _peer._queued);
            if (slotted) _slots.Release();
        }
    }

    /// <summary>
    /// Ends this end at once and the peer once it has read what was already sent to it (as a
    /// closed socket delivers its last bytes, DISCONNECT among them, before the end of stream).
    /// </summary>
    private void Close()
    {
        if (_closed.IsCancellationRequested) return;
        _closed.Cancel();
        _inbound.Writer.TryComplete();
        _peer._inbound.Writer.TryComplete();
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            await foreach (var (message, slotted) in _inbound.Reader.ReadAllAsync())
            {
                Interlocked.Decrement(ref _queued);
                if (slotted) _peer._slots.Release();
                if (_closed.IsCancellationRequested) continue;
                Received.Enqueue(message);
                switch (message[0])
                {
                    case SshMessageNumber.Disconnect:
                        var reader = new SshReader(message);
                        reader.ReadByte();
                        var reason = (DisconnectReason)reader.ReadUInt32();
                        DisconnectReceived = (reason, reader.ReadString());
                        _disconnectReceived.TrySetResult();
                        Close();
                        return;
                    case SshMessageNumber.Ignore or SshMessageNumber.Debug:
                        if (message[0] == SshMessageNumber.Ignore) Interlocked.Increment(ref _ignores);
                        DebugMessages.Enqueue(message);
                        continue;
                }
                // No handler yet: the message is only recorded (raw tests read Received).
                if (Handler is not { } handler) continue;
                try
                {
                    await handler.HandleMessageAsync(message);
                }
                catch (Exception ex)
                {
                    HandlerError = ex;
                    if (ex is SshProtocolException protocolError) await DisconnectAsync(protocolError.Reason, protocolError.Message);
                    else Close();
                    return;
                }
            }
        }
        finally
        {
            Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        await Loop;
    }
}
