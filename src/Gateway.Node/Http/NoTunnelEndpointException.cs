namespace Gateway.Node.Http;

/// <summary>The route has no connected tunnel endpoint; the gateway answers 503.</summary>
public sealed class NoTunnelEndpointException : Exception
{
    public NoTunnelEndpointException(string routeId)
        : base($"no upstream tunnel is connected for route {routeId}")
    {
        RouteId = routeId;
    }

    public string RouteId { get; }
}
