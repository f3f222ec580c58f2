using System.Net;
using System.Threading.Channels;
using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Tests.Connection;

/// <summary>
/// One end of an in-memory transport pair. What one end sends is delivered, in order, to the
/// other end's handler by a dedicated loop per direction. SendAsync waits for a free slot in a
/// bounded queue; Post never waits but a peer that makes us queue too much is disconnected,
/// like the real transport does.
/// </summary>
internal sealed class InMemoryTransport : ISshTransport
{
    private readonly Channel<(byte[] Payload, bool Slotted)> _outbound = System.Threading.Channels.Channel.CreateUnbounded<(byte[], bool)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _slots;
    private readonly int _postLimit;
    private readonly CancellationTokenSource _closed;
    private int _queued;
    private Task _loop = Task.CompletedTask;

    private InMemoryTransport(bool isServer, int capacity, int postLimit, CancellationTokenSource closed)
    {
        IsServer = isServer;
        _slots = new SemaphoreSlim(capacity, capacity);
        _postLimit = postLimit;
        _closed = closed;
    }

    public static (InMemoryTransport Client, InMemoryTransport Server) CreatePair(int capacity = 32, int postLimit = 100_000)
    {
        var closed = new CancellationTokenSource();
        var client = new InMemoryTransport(false, capacity, postLimit, closed);
        var server = new InMemoryTransport(true, capacity, postLimit, closed);
        client.Peer = server;
        server.Peer = client;
        return (client, server);
    }

    public InMemoryTransport Peer { get; private set; } = null!;

    /// <summary>Receives what the peer sends.</summary>
    public ISshMessageHandler? Handler { get; set; }

    /// <summary>DEBUG/IGNORE messages that reached this side (the real transport consumes them).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<byte[]> DebugMessages { get; } = new();

    /// <summary>The exception our handler threw (what a real transport turns into DISCONNECT).</summary>
    public Exception? HandlerError { get; private set; }

    public long MessagesSent;

    public bool IsServer { get; }
    public ReadOnlyMemory<byte> SessionId => new byte[] { 1, 2, 3 };
    public string RemoteVersion => "SSH-2.0-InMemory";
    public EndPoint? RemoteEndPoint => null;
    public CancellationToken Closed => _closed.Token;

    /// <summary>Starts delivering both directions.</summary>
    public void Start()
    {
        _loop = Task.Run(DeliverLoopAsync);
        Peer._loop = Task.Run(Peer.DeliverLoopAsync);
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        await AcquireSlotAsync(cancellationToken);
        Enqueue(payload.ToArray(), slotted: true);
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        await AcquireSlotAsync(cancellationToken);
        var message = new byte[head.Length + body.Length];
        head.CopyTo(message);
        body.CopyTo(message.AsMemory(head.Length));
        Enqueue(message, slotted: true);
    }

    public void Post(ReadOnlySpan<byte> payload)
    {
        if (_closed.IsCancellationRequested) throw new SshConnectionClosedException("transport closed");
        if (Volatile.Read(ref _queued) >= _postLimit)
        {
            _closed.Cancel();
            throw new SshConnectionClosedException("peer is not reading");
        }
        Enqueue(payload.ToArray(), slotted: false);
    }

    public Task DisconnectAsync(DisconnectReason reason, string description)
    {
        _closed.Cancel();
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

    private void Enqueue(byte[] payload, bool slotted)
    {
        Interlocked.Increment(ref _queued);
        Interlocked.Increment(ref MessagesSent);
        _outbound.Writer.TryWrite((payload, slotted));
    }

    private async Task DeliverLoopAsync()
    {
        try
        {
            while (await _outbound.Reader.WaitToReadAsync(_closed.Token))
            {
                while (_outbound.Reader.TryRead(out var item))
                {
                    Interlocked.Decrement(ref _queued);
                    if (item.Slotted) _slots.Release();
                    var handler = Peer.Handler ?? throw new InvalidOperationException("no handler on the receiving side");
                    // Like the real transport: DEBUG and IGNORE are transport messages, never passed up.
                    if (item.Payload[0] is Gateway.Ssh.Wire.SshMessageNumber.Debug or Gateway.Ssh.Wire.SshMessageNumber.Ignore)
                    {
                        Peer.DebugMessages.Enqueue(item.Payload);
                        continue;
                    }
                    try
                    {
                        await handler.HandleMessageAsync(item.Payload);
                    }
                    catch (Exception ex)
                    {
                        Peer.HandlerError = ex;
                        _closed.Cancel();
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Task Loop => _loop;
}
