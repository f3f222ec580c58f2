using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Akka.Actor;
using Gateway.Actors.Sessions;
using Gateway.Contracts.Messages;
using Gateway.Contracts.Tunnels;
using Gateway.Node.Http;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Relay;

/// <summary>
/// Opens a tunnel endpoint held by another node: asks that node's relay actor (over Akka) for a
/// single-use token while connecting to its relay port (advertised in its cluster roles), presents
/// the token, and hands the caller the connection once the owner reports the channel open. With
/// <c>cluster.tls</c> the connection is mutual TLS (<see cref="RelayTls"/>), begun once the ticket
/// has arrived (the wait for it watches the bare socket). Every wait has a bound
/// (<see cref="DialBounds"/>) and ends with the caller's token. The connections it returns are
/// counted and listed per node: when a node becomes suspect, all of them are cut at once.
/// </summary>
public sealed class RelayClient
{
    /// <summary>What a dial reached, for the dialer that abandons it at the short bound.</summary>
    public sealed class Progress
    {
        private volatile bool _nodeAnswered;

        /// <summary>The owner's relay port accepted the connection and its relay actor issued the ticket.</summary>
        public bool NodeAnswered => _nodeAnswered;

        internal void Answered() => _nodeAnswered = true;
    }

    private readonly Lazy<ActorSystem> _system;
    private readonly Lazy<string> _self;
    private readonly EndpointSuspects _suspects;
    private readonly RelayTls _tls;
    private readonly DataPathCounters _counters;
    private readonly DialBounds _bounds;
    private readonly ILogger<RelayClient> _logger;
    private readonly ConcurrentDictionary<RelayConnection, byte> _open = new();

    /// <summary>The actor system is resolved on first use: the HTTP pipeline (and this) is built before Akka starts.</summary>
    public RelayClient(IServiceProvider services, EndpointSuspects suspects, RelayTls tls, DataPathCounters counters, ILogger<RelayClient> logger, DialBounds? bounds = null)
    {
        _tls = tls;
        _system = new Lazy<ActorSystem>(services.GetRequiredService<ActorSystem>);
        _self = new Lazy<string>(() => Akka.Cluster.Cluster.Get(_system.Value).SelfAddress.ToString());
        _suspects = suspects;
        _counters = counters;
        _bounds = bounds ?? DialBounds.Default;
        _logger = logger;
        _suspects.NodeSuspected += AbortConnectionsTo;
        _watchdog = new Timer(_ => CheckAwaitedNodes(), null, WatchdogPeriod, WatchdogPeriod);
    }

    /// <summary>How often the open relay connections are looked at, and how long an answer may be awaited before the node is asked whether it lives.</summary>
    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan PingTimeout = TimeSpan.FromMilliseconds(500);

    private readonly Timer _watchdog;
    private readonly ConcurrentDictionary<string, byte> _pinging = new(StringComparer.Ordinal);

    /// <summary>
    /// A node frozen (SIGSTOP, a stalled VM) keeps its TCP connections open and answers nothing,
    /// and requests on pooled relay connections to it never open a new one, where the short bound
    /// would notice. So when a connection has awaited an answer for longer than the short bound,
    /// the node's actor system is asked whether it lives (Akka's <see cref="Identify"/> to its
    /// relay actor, answered by the node itself, not by the upstream): no answer within 500 ms
    /// suspects the node, which cuts its relay connections; the requests on them are retried
    /// elsewhere where safe. A slow upstream behind a live node is left alone.
    /// </summary>
    private void CheckAwaitedNodes()
    {
        if (!_system.IsValueCreated || _open.IsEmpty) return;
        var now = Environment.TickCount64;
        foreach (var node in _open.Keys.Where(c => c.AwaitingSince is { } since && now - since > _bounds.Reach.TotalMilliseconds)
                     .Select(c => c.NodeAddress).Distinct())
        {
            if (_suspects.IsNodeSuspect(node) || !_pinging.TryAdd(node, 0)) continue;
            _ = PingAsync(node);
        }
    }

    private async Task PingAsync(string node)
    {
        try
        {
            await _system.Value.ActorSelection($"{node}/user/{RelayTicketActor.Name}").Ask<ActorIdentity>(new Identify(null), PingTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AskTimeoutException or TaskCanceledException)
        {
            _logger.LogWarning("relay to {Node}: answers awaited for over {Bound} ms and the node did not answer a ping within {Ping} ms; its endpoints are left out for {Window}s",
                node, _bounds.Reach.TotalMilliseconds, PingTimeout.TotalMilliseconds, EndpointSuspects.Window.TotalSeconds);
            _suspects.SuspectNode(node);
        }
        finally
        {
            _pinging.TryRemove(node, out _);
        }
    }

    /// <summary>How long the owner may take to report the channel open: its own bounds for the open and SOCKS, and a margin.</summary>
    private TimeSpan ReplyTimeout => _bounds.Open + _bounds.Socks + TimeSpan.FromSeconds(2);

    public bool IsRemote(TunnelEndpoint endpoint) => endpoint.NodeAddress != _self.Value;

    /// <summary>The relay address a member advertises, or null when it is not a member (or has none).</summary>
    public DnsEndPoint? RelayAddressOf(string nodeAddress)
    {
        foreach (var member in Akka.Cluster.Cluster.Get(_system.Value).State.Members)
            if (member.Address.ToString() == nodeAddress) return RelayRole.Parse(member.Roles);
        return null;
    }

    /// <summary>
    /// Cuts every relay connection to a node that stopped answering: requests waiting on them fail
    /// at once (and can be sent again elsewhere) instead of waiting for the route timeout, and the
    /// pool cannot hand the next request a connection to it.
    /// </summary>
    public void AbortConnectionsTo(string nodeAddress)
    {
        var cut = 0;
        foreach (var connection in _open.Keys)
        {
            if (connection.NodeAddress != nodeAddress) continue;
            connection.Abort($"the relay to {nodeAddress} was cut: the node stopped answering");
            cut++;
        }
        if (cut > 0) _logger.LogWarning("relay: cut {Count} connection(s) to {Node}, which stopped answering", cut, nodeAddress);
    }

    public async Task<Stream> DialAsync(TunnelEndpoint endpoint, TunnelDialRequest request, CancellationToken ct, Progress? progress = null)
    {
        var address = RelayAddressOf(endpoint.NodeAddress)
            ?? throw new TunnelOpenFailedException($"the tunnel for {request.RouteId} is held by {endpoint.NodeAddress}, which is not a cluster member with a relay");

        using var askCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ticket = _system.Value.ActorSelection($"{endpoint.NodeAddress}/user/{RelayTicketActor.Name}")
            .Ask<RelayTicketReply>(new RelayTicketRequest(request.RouteId, endpoint.EndpointId, request.Upstream.AbsoluteUri, request.Downstream?.ToString(), request.Path), _bounds.Open, askCancel.Token);
        Socket? socket = null;
        try
        {
            // Connecting while the Ask runs: a crashed node refuses at once, long before the Ask would time out.
            try
            {
                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                connectTimeout.CancelAfter(_bounds.Open);
                var ip = IPAddress.TryParse(address.Host, out var literal) ? literal
                    : (await Dns.GetHostAddressesAsync(address.Host, connectTimeout.Token).ConfigureAwait(false)).FirstOrDefault()
                      ?? throw new SocketException((int)SocketError.HostNotFound);
                socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(ip, address.Port), connectTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                var error = ex is OperationCanceledException ? $"no answer within {_bounds.Open.TotalSeconds:0.#}s" : ex.Message;
                Suspect(endpoint.NodeAddress, address, error);
                throw new TunnelOpenFailedException($"the node holding the tunnel for {request.RouteId} did not accept the relay connection: {error}", ex);
            }

            RelayTicketReply reply;
            try
            {
                reply = await WhileConnectedAsync(socket, ticket, ct).ConfigureAwait(false);
            }
            catch (AskTimeoutException ex)
            {
                Suspect(endpoint.NodeAddress, address, $"no ticket within {_bounds.Open.TotalSeconds:0.#}s");
                throw new TunnelOpenFailedException($"the node holding the tunnel for {request.RouteId} did not answer within {_bounds.Open.TotalSeconds:0.#}s", ex);
            }
            catch (SocketException ex)
            {
                // Accepted by the kernel, then the process died: do not wait for the Ask to time out.
                Suspect(endpoint.NodeAddress, address, ex.Message);
                throw new TunnelOpenFailedException($"the node holding the tunnel for {request.RouteId} closed the relay connection: {ex.Message}", ex);
            }
            if (reply.Token is null && reply.EndpointGone)
                throw new TunnelEndpointGoneException($"the tunnel for {request.RouteId} is gone from {endpoint.NodeAddress}");
            if (reply.Token is null)
                throw new TunnelOpenFailedException($"the node holding the tunnel refused: {reply.Error}");
            progress?.Answered();

            using var replyTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            replyTimeout.CancelAfter(ReplyTimeout);
            Stream network;
            try
            {
                // After the ticket: the owner sends nothing before our first bytes, which the wait above relies on.
                network = await _tls.ConnectAsync(socket, address.Host, replyTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                socket = null; // the stream owned it and has closed it
                Suspect(endpoint.NodeAddress, address, $"TLS handshake failed: {ex.Message}");
                throw new TunnelOpenFailedException($"the relay to the node holding the tunnel for {request.RouteId} failed its TLS handshake: {ex.Message}", ex);
            }
            socket = null; // owned by the stream from here on
            var connection = Track(new RelayConnection(network, endpoint.NodeAddress, Untrack));
            try
            {
                await connection.WriteAsync(RelayProtocol.Header(reply.Token), replyTimeout.Token).ConfigureAwait(false);
                var (status, reason) = await RelayProtocol.ReadReplyAsync(connection, replyTimeout.Token).ConfigureAwait(false);
                if (status == RelayProtocol.Gone)
                    throw new TunnelEndpointGoneException($"the tunnel for {request.RouteId} is gone from {endpoint.NodeAddress}: {reason}");
                if (status != RelayProtocol.Open)
                    throw new TunnelOpenFailedException($"the node holding the tunnel could not open it: {reason}", null, refusedByClient: status == RelayProtocol.ClientRefused);
                return connection;
            }
            catch (Exception ex) when (ex is IOException or SocketException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw new TunnelOpenFailedException($"the relay for {request.RouteId} failed: {ex.Message}", ex);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            socket?.Dispose();
            await askCancel.CancelAsync().ConfigureAwait(false);
            _ = ticket.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw;
        }
    }

    private void Suspect(string nodeAddress, DnsEndPoint address, string error)
    {
        _logger.LogWarning("relay to {Node} at {Address} failed: {Error}; its endpoints are left out for {Window}s",
            nodeAddress, $"{address.Host}:{address.Port}", error, EndpointSuspects.Window.TotalSeconds);
        _suspects.SuspectNode(nodeAddress);
    }

    private RelayConnection Track(RelayConnection connection)
    {
        _open[connection] = 0;
        _counters.RelayOutOpened();
        return connection;
    }

    private void Untrack(RelayConnection connection)
    {
        if (_open.TryRemove(connection, out _)) _counters.RelayOutClosed();
    }

    /// <summary>
    /// Awaits the ticket while watching the connected socket: the owner sends nothing before our
    /// header, so a completed peek means it closed or reset the connection (it crashed).
    /// </summary>
    private static async Task<RelayTicketReply> WhileConnectedAsync(Socket socket, Task<RelayTicketReply> ticket, CancellationToken ct)
    {
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var probe = new byte[1];
        var closed = socket.ReceiveAsync(probe, SocketFlags.Peek, stopWatching.Token).AsTask();
        var first = await Task.WhenAny(ticket, closed).ConfigureAwait(false);
        if (first == ticket)
        {
            await stopWatching.CancelAsync().ConfigureAwait(false);
            try
            {
                await closed.ConfigureAwait(false);
            }
            catch (OperationCanceledException) { }
            return await ticket.ConfigureAwait(false);
        }
        _ = ticket.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        var received = await closed.ConfigureAwait(false); // throws SocketException on a reset
        throw new SocketException((int)(received == 0 ? SocketError.ConnectionReset : SocketError.ProtocolNotSupported));
    }
}
