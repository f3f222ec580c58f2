using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>Host keys generated once per test run (RSA generation is slow).</summary>
internal static class TestHostKeys
{
    private static readonly Lazy<SshPrivateKey> LazyEd25519 = new(() => SshKeys.Generate(SshKeyKind.Ed25519));
    private static readonly Lazy<SshPrivateKey> LazyEcdsa = new(() => SshKeys.Generate(SshKeyKind.EcdsaP256));
    private static readonly Lazy<SshPrivateKey> LazyRsa = new(() => SshKeys.Generate(SshKeyKind.Rsa, 2048));

    public static SshPrivateKey Ed25519 => LazyEd25519.Value;
    public static SshPrivateKey Ecdsa => LazyEcdsa.Value;
    public static SshPrivateKey Rsa => LazyRsa.Value;
    public static IReadOnlyList<SshPrivateKey> All => [Ed25519, Ecdsa, Rsa];
}

/// <summary>Collects dispatched messages (copies) for assertions.</summary>
internal sealed class CollectingHandler : ISshMessageHandler
{
    private readonly Channel<byte[]> _messages = Channel.CreateUnbounded<byte[]>();

    public ValueTask HandleMessageAsync(ReadOnlyMemory<byte> payload)
    {
        _messages.Writer.TryWrite(payload.ToArray());
        return ValueTask.CompletedTask;
    }

    public async Task<byte[]> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        return await _messages.Reader.ReadAsync(cts.Token);
    }
}

/// <summary>A connected TCP pair on 127.0.0.1.</summary>
internal sealed class SocketPair : IDisposable
{
    private SocketPair(TcpClient client, TcpClient server)
    {
        Client = client;
        Server = server;
    }

    public TcpClient Client { get; }
    public TcpClient Server { get; }

    public static async Task<SocketPair> CreateAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var client = new TcpClient();
            var accept = listener.AcceptTcpClientAsync();
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            var server = await accept.WaitAsync(TimeSpan.FromSeconds(10));
            return new SocketPair(client, server);
        }
        finally
        {
            listener.Stop();
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}

internal static class TransportFactory
{
    public static SshTransportOptions ServerOptions(Action<SshAlgorithmPreferences>? configure = null, IReadOnlyList<SshPrivateKey>? hostKeys = null)
    {
        // Transport tests rekey pairs that never authenticate; the bound on that has its own test.
        var options = new SshTransportOptions { HostKeys = hostKeys ?? TestHostKeys.All, HandshakeTimeout = TimeSpan.FromSeconds(15), MaxRekeysBeforeAuthentication = 1000 };
        configure?.Invoke(options.Algorithms);
        return options;
    }

    public static SshTransportOptions ClientOptions(Action<SshAlgorithmPreferences>? configure = null, Func<SshPublicKey, bool>? verifier = null)
    {
        var options = new SshTransportOptions { HostKeyVerifier = verifier ?? (_ => true), HandshakeTimeout = TimeSpan.FromSeconds(15), MaxRekeysBeforeAuthentication = 1000 };
        configure?.Invoke(options.Algorithms);
        return options;
    }

    /// <summary>Runs both handshakes over a fresh socket pair.</summary>
    public static async Task<(SshTransport Client, SshTransport Server, SocketPair Sockets)> ConnectPairAsync(
        SshTransportOptions clientOptions, SshTransportOptions serverOptions, bool requestService = true)
    {
        var sockets = await SocketPair.CreateAsync();
        var serverTask = SshTransport.AcceptAsync(sockets.Server.GetStream(), serverOptions, sockets.Server.Client.RemoteEndPoint);
        var clientTask = SshTransport.ConnectAsync(sockets.Client.GetStream(), clientOptions, sockets.Client.Client.RemoteEndPoint);
        try
        {
            await Task.WhenAll(serverTask, clientTask).WaitAsync(TimeSpan.FromSeconds(30));
            // The server only passes messages 50+ up after the client asked for ssh-userauth.
            if (requestService) await clientTask.Result.RequestServiceAsync("ssh-userauth").WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch
        {
            sockets.Dispose();
            throw;
        }
        return (clientTask.Result, serverTask.Result, sockets);
    }

    /// <summary>Waits for Completion and returns its exception (null when it completed normally), failing after the bound.</summary>
    public static async Task<Exception?> EndAsync(Task completion, TimeSpan? bound = null)
    {
        var finished = await Task.WhenAny(completion, Task.Delay(bound ?? TimeSpan.FromSeconds(10)));
        Assert.True(finished == completion, "transport did not end within the bound");
        try
        {
            await completion;
            return null;
        }
        catch (Exception ex)
        {
            Assert.True(ex is SshProtocolException or SshConnectionClosedException, "unexpected exception type " + ex);
            return ex;
        }
    }
}
