using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>
/// Test-only handler standing in for the auth layer: refuses every USERAUTH_REQUEST with
/// "publickey", so an OpenSSH client gets through key exchange and service request, then gives up.
/// </summary>
internal sealed class RefuseAuthHandler(ISshTransport transport) : ISshMessageHandler
{
    public ValueTask HandleMessageAsync(ReadOnlyMemory<byte> payload)
    {
        if (payload.Span[0] == SshMessageNumber.UserAuthRequest)
        {
            transport.Post(SshMessageBuilder.Build(SshMessageNumber.UserAuthFailure, w =>
            {
                w.WriteNameList(["publickey"]);
                w.WriteBoolean(false);
            }));
        }
        return ValueTask.CompletedTask;
    }
}

/// <summary>Accepts loopback connections and runs our server transport on each.</summary>
internal sealed class TestTransportServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly SshTransportOptions _options;

    public TestTransportServer(SshTransportOptions options)
    {
        _options = options;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Transports whose handshake completed, and the outcome of every connection.</summary>
    public ConcurrentQueue<SshTransport> Transports { get; } = new();
    public ConcurrentQueue<Exception?> Outcomes { get; } = new();
    public ConcurrentQueue<Exception> HandshakeFailures { get; } = new();

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(socket));
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    private async Task ServeAsync(Socket socket)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        SshTransport transport;
        try
        {
            transport = await SshTransport.AcceptAsync(stream, _options, socket.RemoteEndPoint, _stop.Token);
        }
        catch (Exception ex)
        {
            HandshakeFailures.Enqueue(ex);
            return;
        }
        Transports.Enqueue(transport);
        transport.Start(new RefuseAuthHandler(transport));
        try
        {
            await transport.Completion;
            Outcomes.Enqueue(null);
        }
        catch (Exception ex)
        {
            Outcomes.Enqueue(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        foreach (var t in Transports) await t.DisposeAsync();
    }
}
