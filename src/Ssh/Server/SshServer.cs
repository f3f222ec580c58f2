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
    private readonly StartupSlots _slots;
    private Socket? _listener;
    private Task? _acceptLoop;
    private volatile bool _acceptStopped;
    private long _refusals;

    public SshServer(SshServerOptions options, ISshSessionHandler handler, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _handler = handler;
        _logger = logger ?? NullLogger.Instance;
        _slots = new StartupSlots(options.MaxStartups, options.PerSourceMaxStartups, options.MaxConnections);
    }

    /// <summary>Connections accepted that have not authenticated yet (what MaxStartups counts).</summary>
    public int UnauthenticatedCount => _slots.Unauthenticated;

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

            // Counted here, synchronously, before any work is started for the connection: the
            // next accept already sees it.
            var slot = _slots.TryAcquire(socket.RemoteEndPoint, out var refusal);
            if (slot is null)
            {
                // A flood would flood the log too: the first refusals and then every 1000th.
                var refusals = Interlocked.Increment(ref _refusals);
                if (refusals <= 10 || refusals % 1000 == 0)
                    _logger.LogWarning("ssh connection from {Remote} dropped: {Reason} ({Count} dropped so far)", socket.RemoteEndPoint, refusal, refusals);
                socket.Dispose();
                continue;
            }

            var task = Task.Run(() => RunConnectionAsync(socket, slot));
            lock (_gate) _connections.Add(task);
            _ = task.ContinueWith(t => { lock (_gate) _connections.Remove(t); }, TaskScheduler.Default);
        }
    }

    private async Task RunConnectionAsync(Socket socket, StartupSlots.Slot slot)
    {
        var remote = socket.RemoteEndPoint;
        SshTransport? transport = null;
        // OpenSSH's LoginGraceTime runs from accept: version exchange, key exchange and
        // authentication together must finish within it.
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        grace.CancelAfter(_options.Authentication.LoginGraceTime);
        try
        {
            socket.NoDelay = true;
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            transport = await SshTransport.AcceptAsync(stream, _options.Transport, remote, grace.Token).ConfigureAwait(false);
            var running = transport;
            await using var shutdown = _stopping.Token.Register(() => _ = running.DisconnectAsync(DisconnectReason.ByApplication, "server shutting down"));

            var authentication = new ServerAuthenticationLayer(transport, _options.Authentication);
            var router = new LayerRouter(authentication, () => authentication.Completion.IsCompletedSuccessfully, () =>
            {
                var user = authentication.Completion.Result;
                var connectionHandler = PermissionCheckingHandler.Wrap(_handler.CreateConnectionHandler(user, transport), user.Permissions);
                return new SshConnection(transport, _options.Connection, connectionHandler);
            });
            transport.Start(router);
            await using var graceExpired = grace.Token.Register(() =>
            {
                if (!authentication.Completion.IsCompleted && !_stopping.IsCancellationRequested)
                    _ = running.DisconnectAsync(DisconnectReason.ByApplication, "Timeout before authentication");
            });

            var finished = await Task.WhenAny(authentication.Completion, transport.Completion).ConfigureAwait(false);
            if (finished != authentication.Completion || !authentication.Completion.IsCompletedSuccessfully)
            {
                await transport.Completion.ConfigureAwait(false);
                return;
            }
            slot.MarkAuthenticated();

            var authenticated = authentication.Completion.Result;
            var session = new SshServerSession(transport, authenticated, router.Connection);
            _logger.LogInformation("ssh {User} authenticated from {Remote} ({Methods})", PeerText.Sanitize(authenticated.Username), remote, string.Join(",", authenticated.Methods));
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
            if (transport is not null) await transport.DisposeAsync().ConfigureAwait(false);
            else socket.Dispose();
            slot.Release();
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
