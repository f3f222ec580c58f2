using System.Net;
using Akka.Actor;
using Gateway.Actors.Endpoints;
using Gateway.Contracts.Messages;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Relay;

/// <summary>
/// One per node at <c>/user/relay</c>: issues relay tokens for endpoints whose SSH connection this
/// node holds, and only for upstreams the route lists (a dynamic forward's SOCKS target must not
/// be chosen by the caller).
/// </summary>
public sealed class RelayTicketActor : ReceiveActor
{
    public const string Name = "relay";

    public RelayTicketActor(RelayTicketStore store, LocalEndpoints endpoints, LocalTunnelRegistry tunnels, TunnelRouteCatalog catalog)
    {
        // The asker's address names the node a relayed connection came from (the tunnel owner's status view shows it).
        Receive<RelayTicketRequest>(request => Sender.Tell(Issue(request, store, endpoints, tunnels, catalog, NodeName(Sender.Path.Address))));
    }

    public static Props Props(RelayTicketStore store, LocalEndpoints endpoints, LocalTunnelRegistry tunnels, TunnelRouteCatalog catalog)
        => Akka.Actor.Props.Create(() => new RelayTicketActor(store, endpoints, tunnels, catalog));

    /// <summary>Longer request paths are not shown for relayed connections (the TUI shows far fewer characters anyway).</summary>
    private const int MaxPathLength = 2048;

    private static string? NodeName(Address address) => address.Host is null ? null : $"{address.Host}:{address.Port}";

    private static RelayTicketReply Issue(RelayTicketRequest request, RelayTicketStore store, LocalEndpoints endpoints, LocalTunnelRegistry tunnels, TunnelRouteCatalog catalog, string? via)
    {
        if (store.Refusing)
            return new RelayTicketReply(null, "this node is draining");
        // This node's own record: what a requester's replica lists may be stale, or forged.
        var endpoint = endpoints.Find(request.EndpointId);
        if (endpoint is null || endpoint.RouteId != request.RouteId || tunnels.Find(endpoint.SessionId) is null)
            return new RelayTicketReply(null, $"endpoint {request.EndpointId} is not held by this node", EndpointGone: true);
        if (!Uri.TryCreate(request.Upstream, UriKind.Absolute, out var upstream))
            return new RelayTicketReply(null, "malformed upstream");
        var route = catalog.Routes.FirstOrDefault(r => r.RouteId == request.RouteId);
        if (route is null || !route.To.Contains(upstream))
            return new RelayTicketReply(null, $"{request.Upstream} is not an upstream of route {request.RouteId}");
        IPEndPoint? downstream = request.Downstream is not null && IPEndPoint.TryParse(request.Downstream, out var parsed) ? parsed : null;
        // Display text from another node: bounded here, sanitized where it is shown.
        var path = request.Path is { Length: > 0 and <= MaxPathLength } p && p[0] == '/' ? p : null;
        var token = store.Issue(new RelayTicket(endpoint, upstream, downstream, via, path));
        return token is null ? new RelayTicketReply(null, "too many relay requests outstanding") : new RelayTicketReply(token, null);
    }
}
