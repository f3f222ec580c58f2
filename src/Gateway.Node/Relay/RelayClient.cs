using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Akka.Actor;
using Gateway.Contracts.Messages;
using Gateway.Contracts.Tunnels;
using Gateway.Node.Http;

namespace Gateway.Node.Relay;

/// <summary>
/// Opens a tunnel endpoint held by another node: asks that node's relay actor (over Akka) for a
/// single-use token while connecting to its relay port (advertised in its cluster roles), presents
/// the token, and hands the caller the connection once the owner reports the channel open. With
/// <c>cluster.tls</c> the connection is mutual TLS (<see cref="RelayTls"/>), begun once the ticket
/// has arrived (the wait for it watches the bare socket).
/// </summary>
public sealed class RelayClient
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan TicketTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(20);

    private readonly Lazy<ActorSystem> _system;
    private readonly Lazy<string> _self;
    private readonly RelaySuspects _suspects;
    private readonly RelayTls _tls;
    private readonly ILogger<RelayClient> _logger;

    /// <summary>The actor system is resolved on first use: the HTTP pipeline (and this) is built before Akka starts.</summary>
    public RelayClient(IServiceProvider services, RelaySuspects suspects, RelayTls tls, ILogger<RelayClient> logger)
    {
        _tls = tls;
        _system = new Lazy<ActorSystem>(services.GetRequiredService<ActorSystem>);
        _self = new Lazy<string>(() => Akka.Cluster.Cluster.Get(_system.Value).SelfAddress.ToString());
        _suspects = suspects;
        _logger = logger;
    }

    public bool IsRemote(TunnelEndpoint endpoint) => endpoint.NodeAddress != _self.Value;

    /// <summary>The relay address a member advertises, or null when it is not a member (or has none).</summary>
    public DnsEndPoint? RelayAddressOf(string nodeAddress)
    {
        foreach (var member in Akka.Cluster.Cluster.Get(_system.Value).State.Members)
            if (member.Address.ToString() == nodeAddress) return RelayRole.Parse(member.Roles);
        return null;
    }

    public async Task<Stream> DialAsync(TunnelEndpoint endpoint, TunnelDialRequest request, CancellationToken ct)
    {
        var address = RelayAddressOf(endpoint.NodeAddress)
            ?? throw new TunnelOpenFailedException($"the tunnel for {request.RouteId} is held by {endpoint.NodeAddress}, which is not a cluster member with a relay");

        var ticket = _system.Value.ActorSelection($"{endpoint.NodeAddress}/user/{RelayTicketActor.Name}")
            .Ask<RelayTicketReply>(new RelayTicketRequest(request.RouteId, endpoint.EndpointId, request.Upstream.AbsoluteUri, request.Downstream?.ToString()), TicketTimeout, ct);
        Socket? socket = null;
        try
        {
            // Connecting while the Ask runs: a crashed node refuses at once, long before the Ask would time out.
            try
            {
                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                connectTimeout.CancelAfter(ConnectTimeout);
                var ip = IPAddress.TryParse(address.Host, out var literal) ? literal
                    : (await Dns.GetHostAddressesAsync(address.Host, connectTimeout.Token).ConfigureAwait(false)).FirstOrDefault()
                      ?? throw new SocketException((int)SocketError.HostNotFound);
                socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(ip, address.Port), connectTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                _suspects.Suspect(endpoint.NodeAddress);
                _logger.LogWarning("relay to {Node} at {Address} failed: {Error}; its endpoints are left out for {Window}s",
                    endpoint.NodeAddress, $"{address.Host}:{address.Port}", ex.Message, RelaySuspects.Window.TotalSeconds);
                throw new TunnelOpenFailedException($"the node holding the tunnel for {request.RouteId} did not accept the relay connection: {ex.Message}", ex);
            }

            RelayTicketReply reply;
            try
            {
                reply = await WhileConnectedAsync(socket, ticket, ct).ConfigureAwait(false);
            }
            catch (AskTimeoutException ex)
            {
                throw new TunnelOpenFailedException($"the node holding the tunnel for {request.RouteId} did not answer within {TicketTimeout.TotalSeconds}s", ex);
            }
            catch (SocketException ex)
            {
                // Accepted by the kernel, then the process died: do not wait for the Ask to time out.
                _suspects.Suspect(endpoint.NodeAddress);
                throw new TunnelOpenFailedException($"the node holding the tunnel for {request.RouteId} closed the relay connection: {ex.Message}", ex);
            }
            if (reply.Token is null && reply.EndpointGone)
                throw new TunnelEndpointGoneException($"the tunnel for {request.RouteId} is gone from {endpoint.NodeAddress}");
            if (reply.Token is null)
                throw new TunnelOpenFailedException($"the node holding the tunnel refused: {reply.Error}");

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
                _suspects.Suspect(endpoint.NodeAddress);
                _logger.LogWarning("relay to {Node} at {Address}: TLS handshake failed: {Error}; its endpoints are left out for {Window}s",
                    endpoint.NodeAddress, $"{address.Host}:{address.Port}", ex.Message, RelaySuspects.Window.TotalSeconds);
                throw new TunnelOpenFailedException($"the relay to the node holding the tunnel for {request.RouteId} failed its TLS handshake: {ex.Message}", ex);
            }
            try
            {
                await network.WriteAsync(RelayProtocol.Header(reply.Token), replyTimeout.Token).ConfigureAwait(false);
                var (status, reason) = await RelayProtocol.ReadReplyAsync(network, replyTimeout.Token).ConfigureAwait(false);
                if (status == RelayProtocol.Gone)
                    throw new TunnelEndpointGoneException($"the tunnel for {request.RouteId} is gone from {endpoint.NodeAddress}: {reason}");
                if (status != RelayProtocol.Open)
                    throw new TunnelOpenFailedException($"the node holding the tunnel could not open it: {reason}");
                return network;
            }
            catch (Exception ex) when (ex is IOException or SocketException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                await network.DisposeAsync().ConfigureAwait(false);
                throw new TunnelOpenFailedException($"the relay for {request.RouteId} failed: {ex.Message}", ex);
            }
            catch
            {
                await network.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            socket?.Dispose();
            _ = ticket.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw;
        }
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
