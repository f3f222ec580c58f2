using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Session;
using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Client;

/// <summary>
/// An SSH client connection: TCP, key exchange with host key verification, user authentication,
/// then the connection protocol (sessions, exec, direct-tcpip, remote forwards).
/// </summary>
public sealed class SshClient : IAsyncDisposable
{
    private readonly SshTransport _transport;
    private readonly LayerRouter _router;

    private SshClient(SshTransport transport, LayerRouter router)
    {
        _transport = transport;
        _router = router;
    }

    public SshTransport Transport => _transport;
    public SshConnection Connection => _router.Connection;
    public Task Completion => _transport.Completion;

    public static async Task<SshClient> ConnectAsync(string host, int port, SshClientOptions options, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return await ConnectAsync(new NetworkStream(socket, ownsSocket: true), socket.RemoteEndPoint, options, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Runs the client over an already connected duplex stream, which it then owns.</summary>
    public static async Task<SshClient> ConnectAsync(Stream stream, EndPoint? remote, SshClientOptions options, CancellationToken cancellationToken = default)
    {
        var verifier = options.HostKeyVerifier ?? (options.KnownHostKeys.Count > 0
            ? key => options.KnownHostKeys.Contains(key)
            : throw new ArgumentException("set KnownHostKeys or HostKeyVerifier: a client that trusts any host key is not offered", nameof(options)));
        var transportOptions = new SshTransportOptions
        {
            HostKeyVerifier = verifier,
            Algorithms = options.Algorithms ?? new SshAlgorithmPreferences(),
        };

        SshTransport? transport = null;
        try
        {
            transport = await SshTransport.ConnectAsync(stream, transportOptions, remote, cancellationToken).ConfigureAwait(false);
            var authentication = new ClientAuthenticationLayer(transport, options.Username, options.Keys, options.KeyboardInteractive, transport.ServerSignatureAlgorithms);
            var handler = options.Handler ?? new SshConnectionHandler();
            var created = transport;
            var router = new LayerRouter(authentication, () => authentication.IsAuthenticated, () => new SshConnection(created, options.Connection, handler));
            transport.Start(router);
            await transport.RequestServiceAsync("ssh-userauth").WaitAsync(cancellationToken).ConfigureAwait(false);
            await authentication.AuthenticateAsync(cancellationToken).ConfigureAwait(false);
            _ = router.Connection;
            return new SshClient(transport, router);
        }
        catch
        {
            if (transport is not null) await transport.DisposeAsync().ConfigureAwait(false);
            else await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs a command (exec request) and collects its output and exit status.</summary>
    public async Task<SshCommandResult> RunAsync(string command, ReadOnlyMemory<byte> input = default, CancellationToken cancellationToken = default)
    {
        await using var channel = await Connection.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var accepted = await channel.SendRequestAsync("exec", true, Wire.SshMessageBuilder.Build(w => w.WriteString(command)), cancellationToken).ConfigureAwait(false);
        if (!accepted) throw new InvalidOperationException($"the server refused to run \"{command}\"");

        var readStdout = ReadAllAsync(channel.Stream, cancellationToken);
        var readStderr = ReadAllAsync(channel.StandardError, cancellationToken);
        if (!input.IsEmpty) await channel.Stream.WriteAsync(input, cancellationToken).ConfigureAwait(false);
        await channel.SendEofAsync().ConfigureAwait(false);
        var stdout = await readStdout.ConfigureAwait(false);
        var stderr = await readStderr.ConfigureAwait(false);
        await channel.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new SshCommandResult(channel.ExitStatus, stdout, Encoding.UTF8.GetString(stderr));
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    public Task DisconnectAsync() => _transport.DisconnectAsync(DisconnectReason.ByApplication, "disconnected by user");

    public async ValueTask DisposeAsync()
    {
        await _transport.DisconnectAsync(DisconnectReason.ByApplication, "disconnected by user").ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
    }
}

public sealed record SshCommandResult(uint? ExitStatus, byte[] Output, string Error);
