namespace Gateway.Node.Balancing;

/// <summary>
/// Envoy's outlier detection in split mode (<c>split_external_local_origin_errors</c>), per
/// destination (a tunnel endpoint and one <c>to</c>), on this node:
/// <list type="bullet">
/// <item>locally originated: the tunnel could not reach the service (the SSH client refused the
/// channel or its SOCKS connect failed: connection refused, no route). Counted by the dialer for
/// the endpoint it really tried; a channel that opens resets the count.</item>
/// <item>from the upstream: a 502, 503 or 504 answer, or the connection through the tunnel broken
/// mid-request. Counted by <see cref="TunnelPassiveHealthPolicy"/>; any other answer resets it.</item>
/// </list>
/// <see cref="ConsecutiveFailuresToEject"/> in a row (Envoy's default for both) eject the
/// destination through YARP's passive health for <see cref="EjectionTime"/> (Envoy's
/// <c>base_ejection_time</c>); YARP reactivates it by itself.
/// </summary>
public sealed class TunnelOutlierDetection(ProxyHealthState proxy, ILogger<TunnelOutlierDetection> logger)
{
    public const int ConsecutiveFailuresToEject = 5;
    public static readonly TimeSpan EjectionTime = TimeSpan.FromSeconds(30);

    private readonly ConsecutiveFailures _localOrigin = new(ConsecutiveFailuresToEject);
    private readonly ConsecutiveFailures _upstream = new(ConsecutiveFailuresToEject);

    public void LocalOriginFailure(string routeId, string destinationId, string reason)
    {
        if (_localOrigin.Failure(Key(routeId, destinationId)))
            Eject(routeId, destinationId, $"{ConsecutiveFailuresToEject} connections in a row could not reach the service through the tunnel (last: {reason})");
    }

    public void LocalOriginSuccess(string routeId, string destinationId) => _localOrigin.Success(Key(routeId, destinationId));

    public void UpstreamFailure(string routeId, string destinationId, string reason)
    {
        if (_upstream.Failure(Key(routeId, destinationId)))
            Eject(routeId, destinationId, $"{ConsecutiveFailuresToEject} requests in a row failed at the upstream (last: {reason})");
    }

    public void UpstreamSuccess(string routeId, string destinationId) => _upstream.Success(Key(routeId, destinationId));

    private void Eject(string routeId, string destinationId, string why)
    {
        if (proxy.Eject(routeId, destinationId, EjectionTime))
            logger.LogWarning("route {Route}: destination {Destination} left out of load balancing on this node for {Seconds}s: {Why}",
                routeId, destinationId, EjectionTime.TotalSeconds, Gateway.Ssh.PeerText.Sanitize(why, 512));
    }

    private static string Key(string routeId, string destinationId) => routeId + "\n" + destinationId;
}
