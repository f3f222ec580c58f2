namespace Gateway.Node.Http;

/// <summary>
/// Provided by the tunnel layer. Opens a byte stream to one endpoint of a route
/// (an SSH forwarded-tcpip channel, possibly relayed from another node).
/// </summary>
public interface ITunnelDialer
{
    /// <summary>
    /// Picks a healthy endpoint of the route (or the given destination) and opens a stream to it.
    /// Throws <see cref="NoTunnelEndpointException"/> when the route has no endpoint and
    /// <see cref="TunnelOpenFailedException"/> when the endpoint refused or failed.
    /// </summary>
    ValueTask<Stream> DialAsync(TunnelDialRequest request, CancellationToken ct);
}
