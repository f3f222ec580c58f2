namespace Gateway.Node.Http;

/// <summary>What a synthetic destination host stands for: one tunnel endpoint of a route and the <c>to</c> URL to reach through it.</summary>
public sealed record TunnelDestination(string RouteId, string EndpointId, Uri Upstream);
