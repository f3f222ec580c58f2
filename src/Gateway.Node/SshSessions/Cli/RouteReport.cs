namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// One line of <c>routes</c>: a tunnel route the identity may serve. Its JSON field names
/// (snake_case) are a documented contract for scripts.
/// </summary>
/// <param name="Id">the route's id (as <c>/status</c> names it)</param>
/// <param name="From">the route's public address, <c>https://host</c> or <c>ssh://name</c></param>
/// <param name="To">the route's <c>to</c> URLs, where a dynamic forward's client connects</param>
/// <param name="HealthChecks">the route has <c>health_checks</c></param>
public sealed record RouteReport(string Id, string From, IReadOnlyList<string> To, string Status, string Health, bool HealthChecks, EndpointCounts Endpoints);
