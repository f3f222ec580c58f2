namespace Gateway.Node.Routing;

/// <summary>
/// Who may use a route, in a form two routes can be compared by: whether anyone may use it
/// without signing in, and its <c>policy</c> as written (structural text, without config paths).
/// Two routes with equal access admit exactly the same requests, so a connection made for one may
/// carry requests for the other (HTTP/2 connection coalescing); otherwise the gateway answers 421.
/// </summary>
public sealed record RouteAccess(bool PublicUnauthenticated, string Policy);
