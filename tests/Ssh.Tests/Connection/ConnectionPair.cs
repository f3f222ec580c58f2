using Gateway.Ssh.Connection;

using Gateway.Testing.Ssh;

namespace Gateway.Ssh.Tests.Connection;

/// <summary>A handler made of optional delegates; anything not set keeps the refusing default.</summary>
internal sealed class DelegateHandler : ISshConnectionHandler
{
    public Func<RemoteForwardRequest, ValueTask<RemoteForwardDecision>>? Forward;
    public Func<string, uint, ValueTask<bool>>? CancelForward;
    public Func<ChannelOpenRequest, ValueTask<ChannelOpenDecision>>? Open;
    public Func<SshChannel, ChannelRequest, ValueTask<bool>>? Request;
    public Func<string, ReadOnlyMemory<byte>, ValueTask<(bool, byte[])>>? Global;

    public ValueTask<RemoteForwardDecision> OnRemoteForwardRequestAsync(RemoteForwardRequest request)
        => Forward?.Invoke(request) ?? ValueTask.FromResult(RemoteForwardDecision.Refuse());

    public ValueTask<bool> OnCancelRemoteForwardAsync(string bindAddress, uint port)
        => CancelForward?.Invoke(bindAddress, port) ?? ValueTask.FromResult(true);

    public ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request)
        => Open?.Invoke(request) ?? ValueTask.FromResult(ChannelOpenDecision.Refuse());

    public ValueTask<bool> OnChannelRequestAsync(SshChannel channel, ChannelRequest request)
        => Request?.Invoke(channel, request) ?? ValueTask.FromResult(false);

    public ValueTask<(bool Success, byte[] Data)> OnGlobalRequestAsync(string name, ReadOnlyMemory<byte> data)
        => Global?.Invoke(name, data) ?? ValueTask.FromResult((false, Array.Empty<byte>()));
}

/// <summary>Two connections, client and server role, joined by an in-memory transport pair.</summary>
internal sealed class ConnectionPair : IAsyncDisposable
{
    public ConnectionPair(SshConnectionOptions? clientOptions = null, SshConnectionOptions? serverOptions = null, int capacity = 32)
    {
        (ClientTransport, ServerTransport) = InMemorySshTransport.CreatePair(capacity);
        Client = new SshConnection(ClientTransport, clientOptions ?? new SshConnectionOptions(), ClientHandler);
        Server = new SshConnection(ServerTransport, serverOptions ?? new SshConnectionOptions(), ServerHandler);
        ClientTransport.Handler = Client;
        ServerTransport.Handler = Server;
        ClientTransport.Start();
    }

    public DelegateHandler ClientHandler { get; } = new();
    public DelegateHandler ServerHandler { get; } = new();
    public InMemorySshTransport ClientTransport { get; }
    public InMemorySshTransport ServerTransport { get; }
    public SshConnection Client { get; }
    public SshConnection Server { get; }

    /// <summary>Server accepts sessions and hands each channel to <paramref name="run"/>.</summary>
    public void ServeSessions(Func<SshChannel, Task> run, Func<SshChannel, ChannelRequest, ValueTask<bool>>? requests = null)
    {
        ServerHandler.Open = r => ValueTask.FromResult(r.Type == "session" ? ChannelOpenDecision.Accept(c => _ = run(c)) : ChannelOpenDecision.Refuse());
        ServerHandler.Request = requests ?? ((_, _) => ValueTask.FromResult(true));
    }

    public async ValueTask DisposeAsync()
    {
        await ClientTransport.DisconnectAsync(DisconnectReason.ByApplication, "test over");
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        await Task.WhenAll(ClientTransport.Loop, ServerTransport.Loop).WaitAsync(TimeSpan.FromSeconds(10));
    }
}

internal static class StreamTestExtensions
{
    public static async Task<byte[]> ReadToEndAsync(this Stream stream, CancellationToken ct = default)
    {
        var output = new MemoryStream();
        await stream.CopyToAsync(output, ct);
        return output.ToArray();
    }
}
