using System.Diagnostics;
using Akka.Actor;
using Gateway.Ssh;
using Gateway.Actors.Sessions;
using Gateway.Actors.Endpoints;
using Gateway.Actors.Health;
using Gateway.Contracts.Tunnels;
using Gateway.Node.Balancing;
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
/// child owns it from then on. Every wait is bounded (<see cref="DialBounds"/>) and ends with its
/// request; an endpoint that does not open within the short bound while another could take the
/// request is abandoned for that one and suspected (<see cref="EndpointSuspects"/>).
/// </summary>
public sealed class TunnelDialer : ITunnelDialer
{
    private readonly EndpointTable _endpoints;
    private readonly LocalEndpoints _local;
    private readonly LocalTunnelRegistry _tunnels;
    private readonly TunnelRouteCatalog _catalog;
    private readonly RelayClient _relay;
    private readonly EndpointSuspects _suspects;
    private readonly DataPathCounters _counters;
    private readonly DialBounds _bounds;
    private readonly RouteHealthView? _health;
    private readonly TunnelOutlierDetection? _outliers;
    private readonly ILogger<TunnelDialer> _logger;
    private long _connections;

    /// <summary>
    /// How long the session actor may take to adopt a new connection. It answers at once while it
    /// lives; no answer means it stopped after the request found its registry entry.
    /// </summary>
    private static readonly TimeSpan AdoptTimeout = TimeSpan.FromSeconds(5);

    private readonly RouteTraffic _traffic;

    public TunnelDialer(EndpointTable endpoints, LocalEndpoints local, LocalTunnelRegistry tunnels, TunnelRouteCatalog catalog, RelayClient relay,
        EndpointSuspects suspects, DataPathCounters counters, ILogger<TunnelDialer> logger, DialBounds? bounds = null,
        RouteHealthView? health = null, TunnelOutlierDetection? outliers = null, RouteTraffic? traffic = null)
    {
        _health = health;
        _outliers = outliers;
        _traffic = traffic ?? new RouteTraffic();
        _endpoints = endpoints;
        _local = local;
        _tunnels = tunnels;
        _catalog = catalog;
        _relay = relay;
        _suspects = suspects;
        _counters = counters;
        _bounds = bounds ?? DialBounds.Default;
        _logger = logger;
    }

    /// <summary>A channel opened on this node: the stream the caller uses, and the channel for half-close.</summary>
    public sealed record OpenedChannel(Stream Stream, SshChannel Channel);

    /// <summary>Endpoints that may fail to open for one connection before the gateway answers 502 (a draining or crashed owner).</summary>
    private const int MaxFailures = 3;

    /// <summary>
    /// Opens the endpoint YARP picked, or another one of the route. An endpoint found gone (its SSH
    /// connection ended after the pick) is skipped without counting: only endpoints that fail to
    /// open (or are abandoned at the short bound) count against <see cref="MaxFailures"/>. Each
    /// endpoint is tried at most once. Only endpoints the route's health allows are tried
    /// (<see cref="RouteHealthView.Choose"/>), those without a passive mark (suspected, or ejected by
    /// outlier detection) first; YARP's pick is passed over when health no longer allows it. A
    /// refusal by the SSH client counts for outlier detection on the endpoint that refused.
    /// </summary>
    public async ValueTask<Stream> DialAsync(TunnelDialRequest request, CancellationToken ct)
    {
        var tried = new HashSet<string>(StringComparer.Ordinal);
        if (request.AvoidEndpointId is { } avoid) tried.Add(avoid);
        var failedNodes = new HashSet<string>(StringComparer.Ordinal);
        TunnelOpenFailedException? lastFailure = null;
        var failures = 0;
        var toIndex = _health?.ToIndex(request.RouteId, request.Upstream) ?? 0;
        RouteEndpointChoice? choice = null;
        RouteEndpointChoice? Choice() => _health is null ? null : choice ??= _health.Choose(request.RouteId, toIndex);
        var endpoint = _endpoints.Find(request.RouteId, request.DestinationId);
        // YARP picked from a view computed before the latest health change.
        if (endpoint is not null && _health?.HasHealthChecks(request.RouteId) == true && Choice()?.Allowed.Contains(endpoint.EndpointId) == false)
            endpoint = null;
        endpoint ??= Next();
        while (true)
        {
            if (endpoint is null)
            {
                if (lastFailure is not null) throw lastFailure;
                throw new NoTunnelEndpointException(request.RouteId, failingHealthChecks: Choice()?.FailingHealthChecks == true);
            }
            tried.Add(endpoint.EndpointId);
            var destinationId = ProxyConfigBuilder.DestinationId(endpoint.EndpointId, toIndex);
            try
            {
                var stream = await AttemptAsync(endpoint, request, () => Next() is not null, ct).ConfigureAwait(false);
                _outliers?.LocalOriginSuccess(request.RouteId, destinationId);
                return stream;
            }
            catch (TunnelEndpointGoneException ex) when (!ct.IsCancellationRequested)
            {
                _logger.LogDebug("tunnel for {Route}: {Error}; trying another endpoint", request.RouteId, ex.Message);
            }
            catch (TunnelOpenFailedException ex) when (!ct.IsCancellationRequested && CountRefusal(ex, request.RouteId, destinationId) && ++failures < MaxFailures)
            {
                // Nothing reached the upstream yet, so another endpoint can take the connection
                // (any method): a node that drains refuses new channels while the replicas still
                // list it for a moment.
                lastFailure = ex;
                // A slow endpoint says nothing about the other endpoints of its node; a failed or silent node does.
                if (ex.InnerException is not AttemptTooSlowException || _suspects.IsNodeSuspect(endpoint.NodeAddress))
                    failedNodes.Add(endpoint.NodeAddress);
                _logger.LogInformation("tunnel for {Route} on {Node} not opened ({Error}); trying another endpoint", request.RouteId, endpoint.NodeAddress, ex.Message);
            }
            endpoint = Next();
        }

        TunnelEndpoint? Next()
        {
            bool Excluded(TunnelEndpoint e) => tried.Contains(e.EndpointId) || failedNodes.Contains(e.NodeAddress);
            if (Choice() is not { } allowed)
                return _endpoints.FindOther(request.RouteId, e => Excluded(e) || _suspects.IsSuspect(e)) ?? _endpoints.FindOther(request.RouteId, Excluded);
            return _endpoints.FindOther(request.RouteId, e => Excluded(e) || !allowed.Preferred.Contains(e.EndpointId))
                ?? _endpoints.FindOther(request.RouteId, e => Excluded(e) || !allowed.Allowed.Contains(e.EndpointId));
        }
    }

    /// <summary>Tells outlier detection when the SSH client could not reach its service; always true (an exception filter).</summary>
    private bool CountRefusal(TunnelOpenFailedException ex, string routeId, string destinationId)
    {
        if (ex.RefusedByClient) _outliers?.LocalOriginFailure(routeId, destinationId, ex.Message);
        return true;
    }

    /// <summary>Marks an attempt abandoned at the short bound (the endpoint is suspected; its node only when the relay itself did not answer).</summary>
    private sealed class AttemptTooSlowException(string message) : Exception(message);

    /// <summary>
    /// One endpoint, bounded: within <see cref="DialBounds.Reach"/> it opens, or, when
    /// <paramref name="hasAlternative"/> says another endpoint could take the request, it is
    /// abandoned (its channel or relay connection closed as soon as it is known) and suspected.
    /// Without an alternative the attempt runs on to its long bounds.
    /// </summary>
    private async Task<Stream> AttemptAsync(TunnelEndpoint endpoint, TunnelDialRequest request, Func<bool> hasAlternative, CancellationToken ct)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var progress = new RelayClient.Progress();
        var remote = _relay.IsRemote(endpoint);
        var started = Stopwatch.GetTimestamp();
        var task = DialEndpointAsync(endpoint, request, remote, progress, attempt.Token);
        _ = task.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) _counters.RecordOpen(remote, Stopwatch.GetElapsedTime(started));
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        using (var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            var reach = Task.Delay(_bounds.Reach, stopWaiting.Token);
            if (await Task.WhenAny(task, reach).ConfigureAwait(false) == task || ct.IsCancellationRequested || !hasAlternative())
            {
                await stopWaiting.CancelAsync().ConfigureAwait(false);
                return await task.ConfigureAwait(false);
            }
        }
        await attempt.CancelAsync().ConfigureAwait(false);
        // Opened just as it was abandoned: nobody will use it.
        _ = task.ContinueWith(static t =>
        {
            if (t.IsCompletedSuccessfully) t.Result.Dispose();
            else _ = t.Exception;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var nodeSilent = remote && !progress.NodeAnswered;
        var what = nodeSilent ? $"the relay to {endpoint.NodeAddress} did not answer" : "the tunnel did not open a channel";
        if (nodeSilent) _suspects.SuspectNode(endpoint.NodeAddress);
        else _suspects.SuspectEndpoint(endpoint.EndpointId);
        _logger.LogWarning("tunnel for {Route}: endpoint {Endpoint} on {Node}: {What} within {Bound} ms; another endpoint takes the request, and the {Suspect} is left out for {Window}s",
            request.RouteId, endpoint.EndpointId, endpoint.NodeAddress, what, _bounds.Reach.TotalMilliseconds, nodeSilent ? "node" : "endpoint", EndpointSuspects.Window.TotalSeconds);
        throw new TunnelOpenFailedException($"{what} within {_bounds.Reach.TotalMilliseconds:0} ms", new AttemptTooSlowException(what));
    }

    private async Task<Stream> DialEndpointAsync(TunnelEndpoint endpoint, TunnelDialRequest request, bool remote, RelayClient.Progress progress, CancellationToken ct)
    {
        if (remote)
            return await _relay.DialAsync(endpoint, request, ct, progress).ConfigureAwait(false);
        var held = FindHeld(endpoint.EndpointId);
        if (held is null || held.Value.Endpoint.RouteId != request.RouteId)
            throw new TunnelEndpointGoneException($"the tunnel for {request.RouteId} is gone from this node");
        return (await OpenLocalAsync(held.Value.Tunnel, held.Value.Endpoint, request.Upstream, request.Downstream, ct, request.RequestId, request.Path).ConfigureAwait(false)).Stream;
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
    /// for local endpoints and by the relay for requests that arrived on another node. The channel
    /// open is bounded by <see cref="DialBounds.Open"/>, the SOCKS handshake by
    /// <see cref="DialBounds.Socks"/>; both end at once with <paramref name="ct"/>, and a channel
    /// given up on is closed as soon as it exists.
    /// </summary>
    /// <remarks>
    /// A failure is told to the tunnel's owner on its status stream, with the id of the request
    /// whose error page the visitor saw when known (not for requests relayed from another node).
    /// </remarks>
    /// <param name="path">the path of the request the channel is opened for, for the owner's status view</param>
    /// <param name="via">the node that relayed the request here, for the owner's status view</param>
    public async ValueTask<OpenedChannel> OpenLocalAsync(LocalTunnel tunnel, TunnelEndpoint endpoint, Uri upstreamUrl, System.Net.IPEndPoint? downstream, CancellationToken ct,
        string? requestId = null, string? path = null, string? via = null)
    {
        var (channel, opened, onSilentClose) = await OpenChannelAsync(tunnel, endpoint, upstreamUrl, downstream, ct, requestId, path, via).ConfigureAwait(false);
        var stream = new DownstreamConnectionStream(channel.Stream, guardSocks: !endpoint.IsDynamic, onSilentClose, channel.Input.CancelPendingRead);
        await AdoptAsync(tunnel, endpoint, opened, stream, ct).ConfigureAwait(false);
        return new OpenedChannel(stream, channel);
    }

    /// <summary>
    /// Opens a channel as <see cref="OpenLocalAsync"/> does for a connection that reached this node
    /// over the relay, and hands the session actor a <see cref="RelayedDownstream"/>: its
    /// <see cref="DownstreamConnectionActor"/> runs the bytes between <paramref name="network"/> and
    /// the channel as an Akka.Streams graph, <paramref name="openReply"/> first. The caller awaits
    /// the returned connection's end; the connection owns both ends from here on.
    /// </summary>
    public async ValueTask<RelayedDownstream> OpenRelayedAsync(LocalTunnel tunnel, TunnelEndpoint endpoint, Uri upstreamUrl, System.Net.IPEndPoint? downstream,
        Stream network, Func<Task> networkShutdownSend, ReadOnlyMemory<byte> openReply, CancellationToken ct, string? via = null, string? path = null)
    {
        var (channel, opened, onSilentClose) = await OpenChannelAsync(tunnel, endpoint, upstreamUrl, downstream, ct, requestId: null, path, via).ConfigureAwait(false);
        var relayed = new RelayedDownstream(channel.Input, channel.Stream, () => channel.SendEofAsync(), network, networkShutdownSend, openReply,
            guardSocks: !endpoint.IsDynamic, onSilentClose);
        await AdoptAsync(tunnel, endpoint, opened, relayed, ct).ConfigureAwait(false);
        return relayed;
    }

    private async ValueTask<(SshChannel Channel, DownstreamOpened Opened, Action? OnSilentClose)> OpenChannelAsync(LocalTunnel tunnel, TunnelEndpoint endpoint,
        Uri upstreamUrl, System.Net.IPEndPoint? downstream, CancellationToken ct, string? requestId, string? path, string? via)
    {
        var request = new TunnelDialRequest(endpoint.RouteId, endpoint.EndpointId, upstreamUrl, downstream, requestId, Path: path);
        var forRequest = requestId is null ? "" : $" (request {requestId})";
        var originatorIp = request.Downstream?.Address.ToString() ?? "127.0.0.1";
        var originatorPort = (uint)(request.Downstream?.Port ?? 0);
        var connectionId = Interlocked.Increment(ref _connections).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var route = _catalog.Routes.FirstOrDefault(r => r.RouteId == endpoint.RouteId);
        var upstream = $"{request.Upstream.Host}:{request.Upstream.Port}";
        // A health probe (no downstream, no request) reports its own failures; a request's channel
        // is the route's traffic, which sets the probes' interval.
        var probe = downstream is null && requestId is null;
        if (!probe) _traffic.MarkUsed(endpoint.RouteId);

        SshChannel channel;
        using (var openBound = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            openBound.CancelAfter(_bounds.Open);
            _counters.ChannelOpening();
            try
            {
                channel = await tunnel.Connection.OpenForwardedTcpIpAsync(endpoint.ConnectedAddress, endpoint.ConnectedPort, originatorIp, originatorPort, openBound.Token).ConfigureAwait(false);
            }
            catch (SshChannelOpenException ex)
            {
                if (endpoint.IsDynamic && ex.ReasonCode == ChannelOpenFailureReason.ConnectFailed && route is not null)
                    Warn(tunnel, endpoint, MismatchDiagnostic.ForDynamicExpectingStatic(Permission(endpoint), route.Address, upstream));
                else if (!probe)
                    tunnel.Status.Post($"error: channel for {request.RouteId} refused by the ssh client: {PeerText.Sanitize(ex.Description)}{forRequest}");
                throw new TunnelOpenFailedException($"the ssh client refused the connection: {ex.Description}", ex, refusedByClient: true);
            }
            catch (SshConnectionClosedException)
            {
                // The connection ended after the endpoint was picked (its session is withdrawing it).
                throw new TunnelEndpointGoneException($"the tunnel for {request.RouteId} closed");
            }
            catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                if (!probe) tunnel.Status.Post($"error: the ssh client did not answer a channel open for {route?.Address.Hostname ?? request.RouteId} within {_bounds.Open.TotalSeconds:0.#}s{forRequest}");
                throw new TunnelOpenFailedException($"the tunnel did not open a channel within {_bounds.Open.TotalSeconds:0.#}s", ex);
            }
            finally
            {
                _counters.ChannelOpeningEnded();
            }
        }
        _counters.ChannelOpened();
        _ = channel.Completion.ContinueWith(_ => _counters.ChannelClosed(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        if (endpoint.IsDynamic)
        {
            var started = Stopwatch.GetTimestamp();
            using var socksBound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            socksBound.CancelAfter(_bounds.Socks);
            try
            {
                await Socks5Client.ConnectAsync(channel.Stream, request.Upstream.Host, (ushort)request.Upstream.Port, socksBound.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Socks5Exception or IOException or SshConnectionClosedException or OperationCanceledException)
            {
                _ = CloseQuietlyAsync(channel);
                var waited = Stopwatch.GetElapsedTime(started);
                // The reference's condition (greeting sent, nothing or an echo back, then the
                // channel closed), also when the wait ended by its bound or with its request: a
                // client forwarding to a fixed local port whose service ignores the stray bytes.
                // A wait cut short by the dialer moving on is too short to tell.
                var noAnswer = ex is Socks5Exception { NoAnswer: true } socks && (!socks.Cancelled || waited >= _bounds.SilentSocks);
                var notSocks = noAnswer || ex.Message.StartsWith("not a SOCKS5 server", StringComparison.Ordinal);
                if (notSocks && route is not null)
                    Warn(tunnel, endpoint, MismatchDiagnostic.ForDynamicExpectingStatic(Permission(endpoint), route.Address, upstream));
                if (ct.IsCancellationRequested)
                    throw new OperationCanceledException("the request ended during the SOCKS handshake", ex, ct);
                var message = socksBound.IsCancellationRequested
                    ? $"no SOCKS reply within {_bounds.Socks.TotalSeconds:0.#}s"
                    : ex.Message;
                if (!notSocks && !probe)
                    tunnel.Status.Post($"error: the ssh client could not connect to {upstream} for {route?.Address.Hostname ?? request.RouteId}: {PeerText.Sanitize(message)}{forRequest}");
                // A SOCKS reply (connect refused, no route) or no SOCKS server at all: the endpoint cannot serve.
                throw new TunnelOpenFailedException($"the ssh client could not connect to {upstream}: {message}", ex,
                    refusedByClient: !socksBound.IsCancellationRequested && ex is Socks5Exception);
            }
        }

        // A probe closed with nothing received is no sign of a mismatched forward (a send-only TCP
        // check passes once its bytes are written); the check reports its own result.
        Action? onSilentClose = endpoint.IsDynamic || route is null || probe
            ? null
            : () => Warn(tunnel, endpoint, MismatchDiagnostic.ForStaticExpectingDynamic(Permission(endpoint), route.Address, upstream));
        var opened = new DownstreamOpened(connectionId, endpoint.RouteId, request.Downstream?.ToString() ?? DownstreamOpened.HealthCheck, channel.LocalId, path, via);
        return (channel, opened, onSilentClose);
    }

    /// <summary>Makes the session actor own the connection (a <see cref="DownstreamConnectionActor"/> child); closes it when nobody will.</summary>
    private static async Task AdoptAsync(LocalTunnel tunnel, TunnelEndpoint endpoint, DownstreamOpened opened, IDownstreamConnection connection, CancellationToken ct)
    {
        try
        {
            await tunnel.SessionActor.Ask<DownstreamStarted>(new OpenDownstream(opened, connection), AdoptTimeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            connection.Close("the tunnel's session ended");
            throw new TunnelEndpointGoneException($"the tunnel for {endpoint.RouteId} ended on this node");
        }
        catch (OperationCanceledException)
        {
            // Adopted or not, nobody will use it: closing is idempotent either way.
            connection.Close("the request was cancelled");
            throw;
        }
    }

    /// <summary>Sends CLOSE now; the peer's answer is awaited in the background, not by the request.</summary>
    private static async Task CloseQuietlyAsync(SshChannel channel)
    {
        try
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The channel or its connection already failed: closed either way.
        }
    }

    /// <summary>The session shows it on its status stream (which logs it), once per forward and interval.</summary>
    private static void Warn(LocalTunnel tunnel, TunnelEndpoint endpoint, MismatchDiagnostic diagnostic)
        => tunnel.SessionActor.Tell(new ForwardWarning(SshSessionActor.ForwardKey(endpoint.ConnectedAddress, endpoint.ConnectedPort), diagnostic));

    /// <summary>The forward as the endpoint describes it, for the diagnostics' hints.</summary>
    private static ForwardPermission Permission(TunnelEndpoint endpoint) => new(
        endpoint.IsDynamic ? HostPattern.Glob(endpoint.ConnectedAddress) : HostPattern.Exact(endpoint.ConnectedAddress),
        endpoint.IsDynamic ? 0 : endpoint.ConnectedPort, endpoint.ConnectedPort,
        endpoint.IsDynamic ? ForwardKind.Dynamic : ForwardKind.StaticHttps, 0);
}
