using System.Net;

namespace Gateway.Node.Http;

/// <param name="RouteId">The route (YARP cluster) the request belongs to.</param>
/// <param name="DestinationId">The tunnel endpoint chosen by the load balancer.</param>
/// <param name="Upstream">The chosen <c>to</c> URL (the SOCKS target in dynamic mode).</param>
/// <param name="Downstream">The downstream client that caused the connection, for the forwarded-tcpip originator.</param>
/// <param name="RequestId">The request that caused the connection (its error page shows the id), for the owner's status stream.</param>
/// <param name="AvoidEndpointId">An endpoint not to fall back to: the one a retried request just failed on.</param>
/// <param name="Path">The path of the request that caused the connection, for the owner's status view.</param>
public sealed record TunnelDialRequest(string RouteId, string DestinationId, Uri Upstream, IPEndPoint? Downstream, string? RequestId = null,
    string? AvoidEndpointId = null, string? Path = null);
