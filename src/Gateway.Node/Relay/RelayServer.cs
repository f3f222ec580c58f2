using Gateway.Ssh;
using Gateway.Actors.Sessions;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Gateway.Config;
using Gateway.Node.Http;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Relay;

/// <summary>
/// This node's relay listener (<c>cluster.relay_address</c>). A peer presents a token its relay
/// actor issued; the listener opens the endpoint's channel exactly as a local request would
/// (<see cref="TunnelDialer.OpenRelayedAsync"/>), answers open/refused, then the bytes run through
/// the connection's Akka.Streams graph, which its <see cref="DownstreamConnectionActor"/>
/// materializes and supervises (with <c>cluster.relay_byte_path = "splice"</c>: two socket copy
/// loops here instead, <see cref="RelayPipe"/>). The graph's stages read and write the socket and
/// the channel's pipe directly, in chunks of up to 64 KiB; Akka.Streams' own TCP (Akka.IO) is not
/// used, as it carries 3-8x less per CPU on this class of machine (docs/cluster.md).
/// </summary>
public sealed class RelayServer : IHostedLifecycleService, IAsyncDisposable
{
    private static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Connections served at once; more are closed on accept, so the port cannot be used to exhaust the node.</summary>
    public const int DefaultMaxConnections = 4096;

    private readonly RelayListenerSocket _socket;
    private readonly Socket _listener;
    private readonly int _maxConnections;
    private readonly RelayTicketStore _tickets;
    private readonly LocalTunnelRegistry _tunnels;
    private readonly TunnelDialer _dialer;
    private readonly RelayTls _tls;
    private readonly DataPathCounters _counters;
    private readonly RelayBytePath _bytePath;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private Task _acceptLoop = Task.CompletedTask;
    private int _disposed;

    public RelayServer(RelayListenerSocket socket, RelayTicketStore tickets, LocalTunnelRegistry tunnels, TunnelDialer dialer, RelayTls tls, DataPathCounters counters, GatewayConfig config,
        ILogger<RelayServer> logger)
        : this(socket, tickets, tunnels, dialer, tls, counters, logger, DefaultMaxConnections, config.Cluster?.RelayBytePath ?? RelayBytePath.Streams)
    {
    }

    public RelayServer(RelayListenerSocket socket, RelayTicketStore tickets, LocalTunnelRegistry tunnels, TunnelDialer dialer, RelayTls tls, DataPathCounters counters, ILogger logger, int maxConnections,
        RelayBytePath bytePath = RelayBytePath.Streams)
    {
        _bytePath = bytePath;
        _tls = tls;
        _counters = counters;
        _socket = socket;
        _listener = socket.Socket;
        _tickets = tickets;
        _tunnels = tunnels;
        _dialer = dialer;
        _logger = logger;
        _maxConnections = maxConnections;
    }

    /// <summary>The address other nodes dial (the bound port; the cluster hostname if bound to any-address).</summary>
    public DnsEndPoint Advertised => _socket.Advertised;

    public int ActiveConnections { get { lock (_connections) return _connections.Count(t => !t.IsCompleted); } }

    /// <summary>Serves once the node has started (the actor system is up, so tokens can be issued).</summary>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        _logger.LogInformation("relay listening on {Address} (advertised as {Advertised}, {Security}, byte path {BytePath})", _listener.LocalEndPoint,
            $"{Advertised.Host}:{Advertised.Port}", _tls.Enabled ? "mutual TLS" : "plaintext", _bytePath == RelayBytePath.Streams ? "streams" : "splice");
        return Task.CompletedTask;
    }

    /// <summary>Closed after the node left the cluster: relayed requests run until then.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                _logger.LogWarning("relay accept failed: {Error}", ex.Message);
                continue;
            }
            socket.NoDelay = true;
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                if (_connections.Count >= _maxConnections)
                {
                    _logger.LogWarning("relay: {Count} connections open, closing one from {Peer}", _connections.Count, socket.RemoteEndPoint);
                    socket.Dispose();
                    continue;
                }
                _connections.Add(Task.Run(() => ServeAsync(socket)));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        _counters.RelayInOpened();
        try
        {
            await ServeCountedAsync(socket).ConfigureAwait(false);
        }
        finally
        {
            _counters.RelayInClosed();
        }
    }

    private async Task ServeCountedAsync(Socket socket)
    {
        using var _ = socket;
        var peer = socket.RemoteEndPoint?.ToString() ?? "?";
        try
        {
            Stream network;
            var header = new byte[RelayProtocol.HeaderLength];
            // One bound for the handshake and the header: a silent or slow peer holds a slot for at most this long.
            using (var headerTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                headerTimeout.CancelAfter(HeaderTimeout);
                try
                {
                    network = await _tls.AcceptAsync(socket, headerTimeout.Token).ConfigureAwait(false);
                }
                catch (AuthenticationException ex)
                {
                    _logger.LogWarning("relay: refused {Peer}: TLS handshake failed: {Reason}", peer, ex.Message);
                    return;
                }
                try
                {
                    await network.ReadExactlyAsync(header, headerTimeout.Token).ConfigureAwait(false);
                }
                catch
                {
                    await network.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }
            await using var owned = network.ConfigureAwait(false);
            var token = RelayProtocol.ParseHeader(header);
            var ticket = token is null ? null : _tickets.Redeem(token);
            if (ticket is null)
            {
                _logger.LogWarning("relay: refused {Peer}: {Reason}", peer, token is null ? "not a relay header" : "unknown, used or expired token");
                await network.WriteAsync(RelayProtocol.Reply(RelayProtocol.Refused, "invalid token"), _stopping.Token).ConfigureAwait(false);
                return;
            }
            // The endpoint as it is now: the forward may have been cancelled since the ticket was issued.
            var held = _dialer.FindHeld(ticket.Endpoint.EndpointId);
            if (held is null)
            {
                await network.WriteAsync(RelayProtocol.Reply(RelayProtocol.Gone, "the tunnel closed"), _stopping.Token).ConfigureAwait(false);
                return;
            }

            TunnelDialer.OpenedChannel? opened = null;
            RelayedDownstream? relayed = null;
            try
            {
                // The open has its own bounds; it also ends at once when the dialer gives up (it
                // closes the connection: its request was abandoned, or it went to another endpoint).
                using var dialerGone = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                var watch = WatchForCloseAsync(socket, dialerGone);
                try
                {
                    if (_bytePath == RelayBytePath.Streams)
                        relayed = await _dialer.OpenRelayedAsync(held.Value.Tunnel, held.Value.Endpoint, ticket.Upstream, ticket.Downstream, network,
                            () => RelayTls.ShutdownSendAsync(network, socket), RelayProtocol.Reply(RelayProtocol.Open, null), dialerGone.Token, ticket.Via, ticket.Path).ConfigureAwait(false);
                    else
                        opened = await _dialer.OpenLocalAsync(held.Value.Tunnel, held.Value.Endpoint, ticket.Upstream, ticket.Downstream, dialerGone.Token, path: ticket.Path, via: ticket.Via).ConfigureAwait(false);
                }
                finally
                {
                    await StopWatchingAsync(watch).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                _logger.LogDebug("relay: {Peer} gave up before the channel opened", peer);
                return;
            }
            catch (TunnelEndpointGoneException ex)
            {
                await network.WriteAsync(RelayProtocol.Reply(RelayProtocol.Gone, ex.Message), _stopping.Token).ConfigureAwait(false);
                return;
            }
            catch (TunnelOpenFailedException ex)
            {
                await network.WriteAsync(RelayProtocol.Reply(ex.RefusedByClient ? RelayProtocol.ClientRefused : RelayProtocol.Refused, ex.Message), _stopping.Token).ConfigureAwait(false);
                return;
            }
            if (relayed is not null)
            {
                // The connection's actor runs it from here; the node stopping closes it.
                await using (_stopping.Token.Register(() => relayed.Close("the node is stopping")).ConfigureAwait(false))
                    await relayed.Ended.ConfigureAwait(false);
                return;
            }
            await using (opened!.Stream.ConfigureAwait(false))
            {
                await network.WriteAsync(RelayProtocol.Reply(RelayProtocol.Open, null), _stopping.Token).ConfigureAwait(false);
                await RelayPipe.RunAsync(socket, network, opened.Stream, opened.Channel, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or SshConnectionClosedException)
        {
            _logger.LogDebug("relay connection from {Peer} ended: {Error}", peer, ex.Message);
        }
    }

    /// <summary>
    /// Cancels <paramref name="gone"/> when the dialer closes or resets the connection. The dialer
    /// sends nothing after the header until the reply, so data waiting (unexpected) ends the watch
    /// without a verdict. Peeks at the bare socket, under TLS too: nothing is consumed.
    /// </summary>
    private static (Task Task, CancellationTokenSource Stop) WatchForCloseAsync(Socket socket, CancellationTokenSource gone)
    {
        var stop = new CancellationTokenSource();
        async Task Watch()
        {
            try
            {
                var received = await socket.ReceiveAsync(new byte[1], SocketFlags.Peek, stop.Token).ConfigureAwait(false);
                if (received == 0) await gone.CancelAsync().ConfigureAwait(false);
            }
            catch (SocketException)
            {
                await gone.CancelAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
            }
        }
        return (Watch(), stop);
    }

    private static async Task StopWatchingAsync((Task Task, CancellationTokenSource Stop) watch)
    {
        await watch.Stop.CancelAsync().ConfigureAwait(false);
        await watch.Task.ConfigureAwait(false);
        watch.Stop.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        Task[] running;
        lock (_connections) running = [.. _connections, _acceptLoop];
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}
