using System.Net;
using System.Net.Sockets;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Session;
using Gateway.Ssh.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Ssh.Server;

/// <summary>
/// Accepts TCP connections and runs each through version exchange, key exchange, authentication
/// and the connection protocol. One failing connection never affects another: every connection
/// runs in its own task and every exception is contained there.
/// </summary>
public sealed class SshServer : IAsyncDisposable
{
    private readonly SshServerOptions _options;
    private readonly ISshSessionHandler _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _connections = [];
    private readonly Lock _gate = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private int _unauthenticated;
    private volatile bool _acceptStopped;

    public SshServer(SshServerOptions options, ISshSessionHandler handler, ILogger? logger = null)
    {
        _options = options;
        _handler = handler;
        _logger = logger ?? NullLogger.Instance;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener?.LocalEndPoint ?? throw new InvalidOperationException("not started"));

    public int ConnectionCount
    {
        get { lock (_gate) return _connections.Count; }
    }

    public void Start(IPEndPoint endpoint)
    {
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
            listener.DualMode = true;
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(endpoint);
        listener.Listen(512);
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) when (_acceptStopped) { return; }
            catch (SocketException ex)
            {
                _logger.LogWarning("ssh accept failed: {Error}", ex.SocketErrorCode);
                continue;
            }

            if (ConnectionCount >= _options.MaxConnections || Volatile.Read(ref _unauthenticated) >= _options.MaxUnauthenticatedConnections)
            {
                _logger.LogWarning("ssh connection from {Remote} refused: connection limit reached", socket.RemoteEndPoint);
                socket.Dispose();
                continue;
            }

            var task = Task.Run(() => RunConnectionAsync(socket));
            lock (_gate) _connections.Add(task);
            _ = task.ContinueWith(t => { lock (_gate) _connections.Remove(t); }, TaskScheduler.Default);
        }
    }

    private async Task RunConnectionAsync(Socket socket)
    {
        var remote = socket.RemoteEndPoint;
        socket.NoDelay = true;
        Interlocked.Increment(ref _unauthenticated);
        var counted = true;
        SshTransport? transport = null;
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            transport = await SshTransport.AcceptAsync(stream, _options.Transport, remote, _stopping.Token).ConfigureAwait(false);
            var running = transport;
            await using var shutdown = _stopping.Token.Register(() => _ = running.DisconnectAsync(DisconnectReason.ByApplication, "server shutting down"));

            var authentication = new ServerAuthenticationLayer(transport, _options.Authentication);
            var router = new LayerRouter(authentication, () => authentication.Completion.IsCompletedSuccessfully, () =>
            {
                var connectionHandler = _handler.CreateConnectionHandler(authentication.Completion.Result, transport);
                return new SshConnection(transport, _options.Connection, connectionHandler);
            });
            transport.Start(router);

            var finished = await Task.WhenAny(authentication.Completion, transport.Completion).ConfigureAwait(false);
            if (finished != authentication.Completion || !authentication.Completion.IsCompletedSuccessfully)
            {
                await transport.Completion.ConfigureAwait(false);
                return;
            }
            Interlocked.Decrement(ref _unauthenticated);
            counted = false;

            var user = authentication.Completion.Result;
            var session = new SshServerSession(transport, user, router.Connection);
            _logger.LogInformation("ssh {User} authenticated from {Remote} ({Methods})", user.Username, remote, string.Join(",", user.Methods));
            using var sessionEnded = CancellationTokenSource.CreateLinkedTokenSource(transport.Closed, _stopping.Token);
            await _handler.OnSessionStartedAsync(session, sessionEnded.Token).ConfigureAwait(false);
            await transport.Completion.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshProtocolException or SshConnectionClosedException or IOException or SocketException or OperationCanceledException)
        {
            _logger.LogDebug("ssh connection from {Remote} ended: {Reason}", remote, ex.Message);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "ssh connection from {Remote} failed", remote);
            if (transport is not null)
                await transport.DisconnectAsync(DisconnectReason.ByApplication, "internal error").ConfigureAwait(false);
        }
        finally
        {
            if (counted) Interlocked.Decrement(ref _unauthenticated);
            if (transport is not null) await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Closes the listening socket so new clients are refused (and try another node), while the
    /// connections already open keep running until <see cref="DisposeAsync"/>: a graceful drain.
    /// </summary>
    public void StopAccepting()
    {
        _acceptStopped = true;
        _listener?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener?.Dispose();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        Task[] running;
        lock (_gate) running = [.. _connections];
        try
        {
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("ssh server stopped with {Count} connections still closing", running.Length);
        }
        _stopping.Dispose();
    }
}
