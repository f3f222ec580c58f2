using System.Net;
using System.Threading.Channels;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Transport;

using Gateway.Testing.Ssh;

namespace Gateway.Ssh.Tests.Auth;

/// <summary>Our server auth layer wired to our client auth layer over an in-memory transport pair.</summary>
internal sealed class AuthPair : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private AuthPair(InMemorySshTransport server, InMemorySshTransport client, ServerAuthenticationLayer serverLayer)
    {
        ServerTransport = server;
        ClientTransport = client;
        Server = serverLayer;
    }

    public InMemorySshTransport ServerTransport { get; }
    public InMemorySshTransport ClientTransport { get; }
    public ServerAuthenticationLayer Server { get; }
    public ClientAuthenticationLayer? Client { get; private set; }
    public RawClient? Raw { get; private set; }

    public static AuthPair Create(SshServerAuthOptions options, IPEndPoint? clientAddress = null)
    {
        var (client, server) = InMemorySshTransport.CreatePair(clientAddress: clientAddress);
        var layer = new ServerAuthenticationLayer(server, options);
        server.Handler = layer;
        server.Start();
        client.Start();
        return new AuthPair(server, client, layer);
    }

    public ClientAuthenticationLayer UseClient(string user, IReadOnlyList<SshPrivateKey> keys,
        Func<KeyboardInteractivePrompt, ValueTask<string[]>>? keyboardInteractive = null, IReadOnlyList<string>? serverSigAlgs = null)
    {
        Client = new ClientAuthenticationLayer(ClientTransport, user, keys, keyboardInteractive, serverSigAlgs);
        ClientTransport.Handler = Client;
        return Client;
    }

    /// <summary>No client layer: the test sends raw messages and reads the server's replies.</summary>
    public RawClient UseRaw()
    {
        Raw = new RawClient(ClientTransport);
        ClientTransport.Handler = Raw;
        return Raw;
    }

    public async Task<SshAuthenticatedUser> ServerResultAsync() => await Server.Completion.WaitAsync(Timeout);

    public async ValueTask DisposeAsync()
    {
        Server.Dispose();
        await ClientTransport.DisposeAsync();
        await ServerTransport.DisposeAsync();
    }
}

/// <summary>Collects what the server sends (other than IGNORE/DISCONNECT) for raw protocol tests.</summary>
internal sealed class RawClient(InMemorySshTransport transport) : ISshMessageHandler
{
    private readonly Channel<byte[]> _replies = Channel.CreateUnbounded<byte[]>();

    public ValueTask HandleMessageAsync(ReadOnlyMemory<byte> payload)
    {
        _replies.Writer.TryWrite(payload.ToArray());
        return ValueTask.CompletedTask;
    }

    public ValueTask SendAsync(byte[] message) => transport.SendAsync(message);

    public async Task<byte[]> NextAsync() => await _replies.Reader.ReadAsync().AsTask().WaitAsync(AuthPair.Timeout);

    /// <summary>True when nothing arrives within <paramref name="wait"/>.</summary>
    public async Task<bool> NothingWithinAsync(TimeSpan wait)
    {
        await Task.Delay(wait);
        return !_replies.Reader.TryPeek(out _);
    }
}
