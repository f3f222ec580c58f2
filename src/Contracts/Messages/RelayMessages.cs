namespace Gateway.Contracts.Messages;

/// <summary>
/// Sent over Akka by the node that accepted a downstream connection to the relay actor of the node
/// that holds the endpoint's SSH connection: "let me open this endpoint through your relay".
/// Only small control data rides Akka; the bytes go over the relay's own TCP connection.
/// </summary>
/// <remarks>
/// Only the endpoint's id travels: the owner opens the channel from its own record of the endpoint
/// (where its SSH connection forwards to), never from what a requester claims. <see cref="Path"/>
/// (the path of the request the connection is opened for) is display text for the tunnel owner's
/// status view only, never used to route; peers without the field send null.
/// </remarks>
public sealed record RelayTicketRequest(string RouteId, string EndpointId, string Upstream, string? Downstream, string? Path = null) : IGatewayMessage;

/// <summary>
/// The owner's answer: a single-use token to present on its relay port, or why not.
/// <see cref="EndpointGone"/> says the endpoint is not held there (any more): the requester tries
/// another without counting it as a failure.
/// </summary>
public sealed record RelayTicketReply(string? Token, string? Error, bool EndpointGone = false) : IGatewayMessage;
