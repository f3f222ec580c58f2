using System.Net;
using Akka.Actor;
using Gateway.Contracts.Messages;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Relay;

/// <summary>
/// One per node at <c>/user/relay</c>: issues relay tokens for endpoints that an SSH connection on
/// this node serves, and only for upstreams the route lists (a dynamic forward's SOCKS target must
/// not be chosen by the caller). The ticket carries the endpoint as this node's
/// <see cref="LocalTunnelRegistry"/> records it: the requester only names it, so it cannot choose
/// the forward, the kind of forward or the route a channel is opened for.
/// </summary>
public sealed class RelayTicketActor : ReceiveActor
{
    public const string Name = "relay";

    public RelayTicketActor(RelayTicketStore store, LocalTunnelRegistry tunnels, TunnelRouteCatalog catalog)
    {
        Receive<RelayTicketRequest>(request => Sender.Tell(Issue(request, store, tunnels, catalog)));
    }

    public static Props Props(RelayTicketStore store, LocalTunnelRegistry tunnels, TunnelRouteCatalog catalog)
        => Akka.Actor.Props.Create(() => new RelayTicketActor(store, tunnels, catalog));

    internal static RelayTicketReply Issue(RelayTicketRequest request, RelayTicketStore store, LocalTunnelRegistry tunnels, TunnelRouteCatalog catalog)
    {
        if (store.Refusing)
            return new RelayTicketReply(null, "this node is draining");
        var held = tunnels.FindEndpoint(request.EndpointId);
        if (held is null || held.Endpoint.RouteId != request.RouteId)
            return new RelayTicketReply(null, $"endpoint {request.EndpointId} is not held by this node");
        if (!Uri.TryCreate(request.Upstream, UriKind.Absolute, out var upstream))
            return new RelayTicketReply(null, "malformed upstream");
        var route = catalog.Routes.FirstOrDefault(r => r.RouteId == request.RouteId);
        if (route is null || !route.To.Contains(upstream))
            return new RelayTicketReply(null, $"{request.Upstream} is not an upstream of route {request.RouteId}");
        IPEndPoint? downstream = request.Downstream is not null && IPEndPoint.TryParse(request.Downstream, out var parsed) ? parsed : null;
        var token = store.Issue(new RelayTicket(held.Endpoint, upstream, downstream));
        return token is null ? new RelayTicketReply(null, "too many relay requests outstanding") : new RelayTicketReply(token, null);
    }
}
