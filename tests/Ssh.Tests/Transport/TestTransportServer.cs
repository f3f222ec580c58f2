using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>
/// Test-only handler standing in for the auth layer: refuses every USERAUTH_REQUEST with
/// "publickey", so an OpenSSH client gets through key exchange and service request, then gives up.
/// With <c>acceptAndRekey</c> it instead accepts the first request, then answers the client's
/// CHANNEL_OPEN with a failure after starting a key re-exchange from the server side.
/// </summary>
internal sealed class RefuseAuthHandler(SshTransport transport, bool acceptAndRekey = false) : ISshMessageHandler
{
    public ValueTask HandleMessageAsync(ReadOnlyMemory<byte> payload)
    {
        var number = payload.Span[0];
        if (number == SshMessageNumber.UserAuthRequest)
        {
            if (acceptAndRekey)
            {
                transport.Post([SshMessageNumber.UserAuthSuccess]);
                return ValueTask.CompletedTask;
            }
            transport.Post(SshMessageBuilder.Build(SshMessageNumber.UserAuthFailure, w =>
            {
                w.WriteNameList(["publickey"]);
                w.WriteBoolean(false);
            }));
        }
        else if (number == SshMessageNumber.ChannelOpen)
        {
            var reader = new SshReader(payload.Span[1..]);
            reader.ReadString();
            var senderChannel = reader.ReadUInt32();
            // The reply is held back until the rekey has completed.
            _ = transport.RekeyAsync();
            transport.Post(SshMessageBuilder.Build(SshMessageNumber.ChannelOpenFailure, w =>
            {
                w.WriteUInt32(senderChannel);
                w.WriteUInt32(1);
                w.WriteString("refused after rekey");
                w.WriteString("");
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

    private readonly bool _rekeyOnFirstAuthRequest;

    public TestTransportServer(SshTransportOptions options, bool rekeyOnFirstAuthRequest = false)
    {
        _options = options;
        _rekeyOnFirstAuthRequest = rekeyOnFirstAuthRequest;
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
        transport.Start(new RefuseAuthHandler(transport, _rekeyOnFirstAuthRequest));
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
