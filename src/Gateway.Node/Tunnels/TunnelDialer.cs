using Akka.Actor;
using Gateway.Ssh;
using Gateway.Actors.Sessions;
using Gateway.Actors.Endpoints;
using Gateway.Contracts.Tunnels;
using Gateway.Node.Http;
using Gateway.Node.Relay;
using Gateway.Ssh.Connection;

namespace Gateway.Node.Tunnels;

/// <summary>
/// Opens the byte stream behind an upstream HTTP connection: a forwarded-tcpip channel on the SSH
/// connection that holds the chosen endpoint, carrying the client's forward pattern and server
/// port verbatim (so OpenSSH accepts it) and the downstream's address as originator. For dynamic
/// forwards the gateway then asks the client's SOCKS server for the route's <c>to</c> address.
/// The opened stream is handed to the session actor, whose <see cref="DownstreamConnectionActor"/>
/// child owns it from then on.
/// </summary>
public sealed class TunnelDialer : ITunnelDialer
{
    private readonly EndpointTable _endpoints;
    private readonly LocalEndpoints _local;
    private readonly LocalTunnelRegistry _tunnels;
    private readonly TunnelRouteCatalog _catalog;
    private readonly RelayClient _relay;
    private readonly ILogger<TunnelDialer> _logger;
    private long _connections;

    /// <summary>
    /// How long the session actor may take to adopt a new connection. It answers at once while it
    /// lives; no answer means it stopped after the request found its registry entry.
    /// </summary>
    private static readonly TimeSpan AdoptTimeout = TimeSpan.FromSeconds(5);

    public TunnelDialer(EndpointTable endpoints, LocalEndpoints local, LocalTunnelRegistry tunnels, TunnelRouteCatalog catalog, RelayClient relay, ILogger<TunnelDialer> logger)
    {
        _endpoints = endpoints;
        _local = local;
        _tunnels = tunnels;
        _catalog = catalog;
        _relay = relay;
        _logger = logger;
    }

    /// <summary>A channel opened on this node: the stream the caller uses, and the channel for half-close.</summary>
    public sealed record OpenedChannel(Stream Stream, SshChannel Channel);

    /// <summary>Endpoints that may fail to open for one connection before the gateway answers 502 (a draining or crashed owner).</summary>
    private const int MaxFailures = 3;

    /// <summary>
    /// Opens the endpoint YARP picked, or another one of the route. An endpoint found gone (its SSH
    /// connection ended after the pick) is skipped without counting: only endpoints that fail to
    /// open count against <see cref="MaxFailures"/>. Each endpoint is tried at most once.
    /// </summary>
    public async ValueTask<Stream> DialAsync(TunnelDialRequest request, CancellationToken ct)
    {
        var tried = new HashSet<string>(StringComparer.Ordinal);
        if (request.AvoidEndpointId is { } avoid) tried.Add(avoid);
        var failedNodes = new HashSet<string>(StringComparer.Ordinal);
        TunnelOpenFailedException? lastFailure = null;
        var failures = 0;
        var endpoint = _endpoints.Find(request.RouteId, request.DestinationId) ?? Next();
        while (true)
        {
            if (endpoint is null)
            {
                if (lastFailure is not null) throw lastFailure;
                throw new NoTunnelEndpointException(request.RouteId);
            }
            tried.Add(endpoint.EndpointId);
            try
            {
                return await DialEndpointAsync(endpoint, request, ct).ConfigureAwait(false);
            }
            catch (TunnelEndpointGoneException ex) when (!ct.IsCancellationRequested)
            {
                _logger.LogDebug("tunnel for {Route}: {Error}; trying another endpoint", request.RouteId, ex.Message);
            }
            catch (TunnelOpenFailedException ex) when (!ct.IsCancellationRequested && ++failures < MaxFailures)
            {
                // Nothing reached the upstream yet, so another endpoint can take the connection
                // (any method): a node that drains refuses new channels while the replicas still
                // list it for a moment.
                lastFailure = ex;
                failedNodes.Add(endpoint.NodeAddress);
                _logger.LogInformation("tunnel for {Route} on {Node} not opened ({Error}); trying another endpoint", request.RouteId, endpoint.NodeAddress, ex.Message);
            }
            endpoint = Next();
        }

        TunnelEndpoint? Next() => _endpoints.FindOther(request.RouteId, e => tried.Contains(e.EndpointId) || failedNodes.Contains(e.NodeAddress));
    }

    private async ValueTask<Stream> DialEndpointAsync(TunnelEndpoint endpoint, TunnelDialRequest request, CancellationToken ct)
    {
        if (_relay.IsRemote(endpoint))
            return await _relay.DialAsync(endpoint, request, ct).ConfigureAwait(false);
        var held = FindHeld(endpoint.EndpointId);
        if (held is null || held.Value.Endpoint.RouteId != request.RouteId)
            throw new TunnelEndpointGoneException($"the tunnel for {request.RouteId} is gone from this node");
        return (await OpenLocalAsync(held.Value.Tunnel, held.Value.Endpoint, request.Upstream, request.Downstream, ct, request.RequestId).ConfigureAwait(false)).Stream;
    }

    /// <summary>
    /// An endpoint an SSH connection on this node serves, as this node's own record describes it
    /// (never as a replica or a relay request lists it), with the connection; null when gone.
    /// </summary>
    public (LocalTunnel Tunnel, TunnelEndpoint Endpoint)? FindHeld(string endpointId)
    {
        var own = _local.Find(endpointId);
        var tunnel = own is null ? null : _tunnels.Find(own.SessionId);
        return tunnel is null ? null : (tunnel, own!);
    }

    /// <summary>
    /// Opens a channel on an SSH connection this node holds (and SOCKS for dynamic forwards); used
    /// for local endpoints and by the relay for requests that arrived on another node.
    /// </summary>
    /// <remarks>
    /// A failure is told to the tunnel's owner on its status stream, with the id of the request
    /// whose error page the visitor saw when known (not for requests relayed from another node).
    /// </remarks>
    public async ValueTask<OpenedChannel> OpenLocalAsync(LocalTunnel tunnel, TunnelEndpoint endpoint, Uri upstreamUrl, System.Net.IPEndPoint? downstream, CancellationToken ct,
        string? requestId = null)
    {
        var request = new TunnelDialRequest(endpoint.RouteId, endpoint.EndpointId, upstreamUrl, downstream, requestId);
        var forRequest = requestId is null ? "" : $" (request {requestId})";
        var originatorIp = request.Downstream?.Address.ToString() ?? "127.0.0.1";
        var originatorPort = (uint)(request.Downstream?.Port ?? 0);
        var connectionId = Interlocked.Increment(ref _connections).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var route = _catalog.Routes.FirstOrDefault(r => r.RouteId == endpoint.RouteId);
        var upstream = $"{request.Upstream.Host}:{request.Upstream.Port}";

        SshChannel channel;
        try
        {
            channel = await tunnel.Connection.OpenForwardedTcpIpAsync(endpoint.ConnectedAddress, endpoint.ConnectedPort, originatorIp, originatorPort, ct).ConfigureAwait(false);
        }
        catch (SshChannelOpenException ex)
        {
            if (endpoint.IsDynamic && ex.ReasonCode == ChannelOpenFailureReason.ConnectFailed && route is not null)
                Warn(tunnel, MismatchDiagnostic.ForDynamicExpectingStatic(Permission(endpoint), route.Address, upstream));
            else
                tunnel.Status.Post($"error: channel for {request.RouteId} refused by the ssh client: {PeerText.Sanitize(ex.Description)}{forRequest}");
            throw new TunnelOpenFailedException($"the ssh client refused the connection: {ex.Description}", ex);
        }
        catch (SshConnectionClosedException)
        {
            // The connection ended after the endpoint was picked (its session is withdrawing it).
            throw new TunnelEndpointGoneException($"the tunnel for {request.RouteId} closed");
        }
        catch (TimeoutException ex)
        {
            throw new TunnelOpenFailedException($"the tunnel did not open a channel: {ex.Message}", ex);
        }

        if (endpoint.IsDynamic)
        {
            try
            {
                await Socks5Client.ConnectAsync(channel.Stream, request.Upstream.Host, (ushort)request.Upstream.Port, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Socks5Exception or IOException or SshConnectionClosedException)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
                if (ex.Message.StartsWith("not a SOCKS5 server", StringComparison.Ordinal) && route is not null)
                    Warn(tunnel, MismatchDiagnostic.ForDynamicExpectingStatic(Permission(endpoint), route.Address, upstream));
                else
                    tunnel.Status.Post($"error: the ssh client could not connect to {upstream} for {route?.Address.Hostname ?? request.RouteId}: {PeerText.Sanitize(ex.Message)}{forRequest}");
                throw new TunnelOpenFailedException($"the ssh client could not connect to {upstream}: {ex.Message}", ex);
            }
        }

        Action? onSilentClose = endpoint.IsDynamic || route is null
            ? null
            : () => Warn(tunnel, MismatchDiagnostic.ForStaticExpectingDynamic(Permission(endpoint), route.Address, upstream));
        var opened = new DownstreamOpened(connectionId, endpoint.RouteId, request.Downstream?.ToString() ?? "health check");
        var stream = new DownstreamConnectionStream(channel.Stream, guardSocks: !endpoint.IsDynamic, onSilentClose, channel.Input.CancelPendingRead);
        try
        {
            await tunnel.SessionActor.Ask<DownstreamStarted>(new OpenDownstream(opened, stream), AdoptTimeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            stream.Close("the tunnel's session ended");
            throw new TunnelEndpointGoneException($"the tunnel for {request.RouteId} ended on this node");
        }
        catch (OperationCanceledException)
        {
            // Adopted or not, nobody will use it: closing is idempotent either way.
            stream.Close("the request was cancelled");
            throw;
        }
        return new OpenedChannel(stream, channel);
    }

    private void Warn(LocalTunnel tunnel, MismatchDiagnostic diagnostic)
    {
        foreach (var line in diagnostic.Render().Split('\n')) tunnel.Status.Post(line);
        _logger.LogWarning("tunnel {Session}: {Message}", tunnel.SessionId, diagnostic.Message);
    }

    /// <summary>The forward as the endpoint describes it, for the diagnostics' hints.</summary>
    private static ForwardPermission Permission(TunnelEndpoint endpoint) => new(
        endpoint.IsDynamic ? HostPattern.Glob(endpoint.ConnectedAddress) : HostPattern.Exact(endpoint.ConnectedAddress),
        endpoint.IsDynamic ? 0 : endpoint.ConnectedPort, endpoint.ConnectedPort,
        endpoint.IsDynamic ? ForwardKind.Dynamic : ForwardKind.StaticHttps, 0);
}
