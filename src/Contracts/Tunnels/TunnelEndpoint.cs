namespace Gateway.Contracts.Tunnels;

/// <summary>
/// One SSH connection serving one route: what every node needs to route a request to it.
/// <see cref="ConnectedAddress"/> and <see cref="ConnectedPort"/> are what the forwarded-tcpip
/// channel must carry (the client's pattern verbatim and the server port) so the client accepts it.
/// <see cref="Health"/> is what the route's health checks found, computed on the node holding the
/// connection and sent with the endpoint (a change is an update of the entry), with the time of its
/// last change; a peer that does not send it leaves it <see cref="EndpointHealth.Unknown"/>.
/// </summary>
public sealed record TunnelEndpoint(
    string EndpointId,
    string RouteId,
    string NodeAddress,
    string SessionId,
    string Owner,
    string ClientAddress,
    bool IsDynamic,
    string ConnectedAddress,
    uint ConnectedPort,
    DateTimeOffset RegisteredAt,
    EndpointHealth Health = EndpointHealth.Unknown,
    DateTimeOffset? HealthChangedAt = null)
{
    /// <summary>Stable id for a (session, route) pair: one endpoint per connection per route.</summary>
    public static string MakeId(string sessionId, string routeId) => $"{sessionId}/{routeId}";
}
