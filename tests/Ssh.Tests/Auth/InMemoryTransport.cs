using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Auth;

/// <summary>
/// One end of an in-memory "transport": messages go straight to the peer's receive loop, which
/// handles DISCONNECT and IGNORE itself and hands everything else to the handler, disconnecting on
/// <see cref="SshProtocolException"/> as the real transport does.
/// </summary>
internal sealed class InMemoryTransport : ISshTransport, IAsyncDisposable
{
    public static readonly byte[] FixedSessionId = Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray();

    private readonly Channel<byte[]> _inbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closed = new();
    private InMemoryTransport _peer = null!;
    private Task _loop = Task.CompletedTask;
    private int _ignores;

    private InMemoryTransport(bool isServer, EndPoint remote)
    {
        IsServer = isServer;
        RemoteEndPoint = remote;
    }

    public static (InMemoryTransport Server, InMemoryTransport Client) CreatePair(IPEndPoint? clientAddress = null)
    {
        var server = new InMemoryTransport(true, clientAddress ?? new IPEndPoint(IPAddress.Loopback, 50123));
        var client = new InMemoryTransport(false, new IPEndPoint(IPAddress.Loopback, 22));
        server._peer = client;
        client._peer = server;
        return (server, client);
    }

    public ISshMessageHandler? Handler { get; set; }
    public bool IsServer { get; }
    public ReadOnlyMemory<byte> SessionId => FixedSessionId;
    public string RemoteVersion => IsServer ? "SSH-2.0-InMemoryClient" : "SSH-2.0-InMemoryServer";
    public EndPoint? RemoteEndPoint { get; }
    public CancellationToken Closed => _closed.Token;

    /// <summary>IGNORE messages received from the peer.</summary>
    public int IgnoresReceived => Volatile.Read(ref _ignores);

    public (DisconnectReason Reason, string Description)? DisconnectReceived { get; private set; }
    public (DisconnectReason Reason, string Description)? DisconnectSent { get; private set; }

    /// <summary>Every message received from the peer, in order.</summary>
    public ConcurrentQueue<byte[]> Received { get; } = new();

    private readonly TaskCompletionSource _disconnectReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public Task DisconnectReceivedTask => _disconnectReceived.Task;

    public void Start() => _loop = Task.Run(ReceiveLoopAsync);

    private async Task ReceiveLoopAsync()
    {
        try
        {
            await foreach (var message in _inbound.Reader.ReadAllAsync(_closed.Token))
            {
                Received.Enqueue(message);
                switch (message[0])
                {
                    case SshMessageNumber.Disconnect:
                    {
                        var reader = new SshReader(message);
                        reader.ReadByte();
                        var reason = (DisconnectReason)reader.ReadUInt32();
                        DisconnectReceived = (reason, reader.ReadString());
                        _disconnectReceived.TrySetResult();
                        Close();
                        return;
                    }
                    case SshMessageNumber.Ignore:
                        Interlocked.Increment(ref _ignores);
                        break;
                    default:
                        if (Handler is null) break;
                        try
                        {
                            await Handler.HandleMessageAsync(message);
                        }
                        catch (SshProtocolException ex)
                        {
                            await DisconnectAsync(ex.Reason, ex.Message);
                            return;
                        }
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Close()
    {
        _inbound.Writer.TryComplete();
        _closed.Cancel();
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_closed.IsCancellationRequested) throw new SshConnectionClosedException("closed");
        _peer._inbound.Writer.TryWrite(payload.ToArray());
        return ValueTask.CompletedTask;
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        var joined = new byte[head.Length + body.Length];
        head.CopyTo(joined);
        body.CopyTo(joined.AsMemory(head.Length));
        return SendAsync(joined, cancellationToken);
    }

    public void Post(ReadOnlySpan<byte> payload)
    {
        if (!_closed.IsCancellationRequested) _peer._inbound.Writer.TryWrite(payload.ToArray());
    }

    public Task DisconnectAsync(DisconnectReason reason, string description)
    {
        if (_closed.IsCancellationRequested) return Task.CompletedTask;
        DisconnectSent = (reason, description);
        _peer._inbound.Writer.TryWrite(SshMessageBuilder.Build(SshMessageNumber.Disconnect, w =>
        {
            w.WriteUInt32((uint)reason);
            w.WriteString(description);
            w.WriteString("");
        }));
        Close();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        await _loop;
    }
}
