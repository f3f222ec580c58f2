using System.Collections.Immutable;
using Akka.Actor;
using Gateway.Contracts.Tunnels;

namespace Gateway.Contracts.Messages;

/// <summary>
/// A session registers (and periodically re-registers) itself as an endpoint of a route. The
/// registration is soft state: a route actor rebuilt on another node learns its endpoints again
/// from these within one re-registration interval. The route actor accepts it only from the node
/// the endpoint names (the session actor sends it as itself), and never lets one node take over
/// an endpoint another node registered.
/// </summary>
public sealed record RegisterEndpoint(string RouteId, TunnelEndpoint Endpoint, IActorRef Session) : IRouteMessage;

/// <summary>
/// The session no longer serves the route (forward cancelled, policy changed, disconnect). Accepted
/// only from the node that registered the endpoint.
/// </summary>
public sealed record UnregisterEndpoint(string RouteId, string EndpointId) : IRouteMessage;

/// <summary>Asks a route actor for its current endpoint set (tests, status endpoints).</summary>
public sealed record GetRouteEndpoints(string RouteId) : IRouteMessage;

/// <summary>
/// The full endpoint set of a route, published by its route actor to every node after each
/// change and periodically. <see cref="Version"/> grows monotonically per route actor incarnation
/// together with <see cref="Incarnation"/>, so replicas ignore stale updates.
/// </summary>
public sealed record RouteEndpointsUpdated(string RouteId, string Incarnation, long Version, ImmutableArray<TunnelEndpoint> Endpoints) : IGatewayMessage;
