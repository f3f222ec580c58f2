using Gateway.Contracts.Tunnels;

namespace Gateway.Contracts.Messages;

/// <summary>
/// Sent over Akka by the node that accepted a downstream connection to the relay actor of the node
/// that holds the endpoint's SSH connection: "let me open this endpoint through your relay".
/// Only small control data rides Akka; the bytes go over the relay's own TCP connection.
/// </summary>
/// <remarks>
/// <paramref name="Endpoint"/> is the endpoint as the requester's replica lists it: the owner's own
/// replica may not have caught up yet (a tunnel that just moved here while route actors hand off),
/// so the owner accepts it when its SSH connection is here and still holds that forward.
/// </remarks>
public sealed record RelayTicketRequest(string RouteId, string EndpointId, string Upstream, string? Downstream, TunnelEndpoint? Endpoint = null) : IGatewayMessage;

/// <summary>The owner's answer: a single-use token to present on its relay port, or why not.</summary>
public sealed record RelayTicketReply(string? Token, string? Error) : IGatewayMessage;
