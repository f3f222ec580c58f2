namespace Gateway.Contracts.Messages;

/// <summary>
/// Sent over Akka by the node that accepted a downstream connection to the relay actor of the node
/// that holds the endpoint's SSH connection: "let me open this endpoint through your relay".
/// Only small control data rides Akka; the bytes go over the relay's own TCP connection.
/// </summary>
/// <remarks>
/// Names the endpoint only: the owner opens it as its own SSH session describes it (forward,
/// dynamic or static, route), never as the requester's replica does. Peers of an earlier version
/// also send their copy as <c>endpoint</c>; the serializer skips that field.
/// </remarks>
public sealed record RelayTicketRequest(string RouteId, string EndpointId, string Upstream, string? Downstream) : IGatewayMessage;

/// <summary>The owner's answer: a single-use token to present on its relay port, or why not.</summary>
public sealed record RelayTicketReply(string? Token, string? Error) : IGatewayMessage;
