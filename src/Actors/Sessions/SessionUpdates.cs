using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Sessions;

/// <summary>
/// What a session publishes for views that draw its state rather than print lines (the status
/// TUI): whole rows, so a view that joins late or drops an update is right again with the next one.
/// </summary>
public abstract record SessionUpdate;

/// <summary>Downstream connections as they opened, progressed (byte counts, once a second while open) or closed.</summary>
public sealed record ConnectionsUpdated(IReadOnlyList<ConnectionSnapshot> Connections) : SessionUpdate;

/// <summary>The forward requests and the routes this identity may serve, after any change to either or to a route's health.</summary>
public sealed record ForwardsUpdated(IReadOnlyList<ForwardRequestSnapshot> Requests, IReadOnlyList<RouteSnapshot> Routes) : SessionUpdate;

/// <param name="ConnectionId">unique on the node holding the SSH connection</param>
/// <param name="Channel">the SSH channel number on the tunnel connection, when known</param>
/// <param name="Host">the route's hostname</param>
/// <param name="Downstream">the downstream peer (ip:port), or <see cref="DownstreamOpened.HealthCheck"/></param>
/// <param name="Path">the first request's path, when the connection was opened for an HTTP request</param>
/// <param name="Via">the node that relayed the downstream connection here, when it came from another node</param>
/// <param name="BytesToUpstream">Rx: downstream to upstream</param>
/// <param name="BytesToDownstream">Tx: upstream to downstream</param>
public sealed record ConnectionSnapshot(string ConnectionId, uint? Channel, string Host, string Downstream, string? Path, string? Via,
    DateTime OpenedAt, long BytesToUpstream, long BytesToDownstream, DateTime? ClosedAt, string? Error)
{
    public bool IsHealthCheck => Downstream == DownstreamOpened.HealthCheck;
}

/// <param name="Pattern">the host pattern as requested</param>
/// <param name="PortLabel"><c>D 40123</c> for dynamic, the port otherwise</param>
/// <param name="MatchesAll">an empty, <c>*</c> or <c>localhost</c> pattern (plain <c>-R 0</c>)</param>
/// <param name="Routes">how many of the routes this identity may serve the request serves</param>
public sealed record ForwardRequestSnapshot(string Pattern, string PortLabel, bool MatchesAll, int Routes);

/// <param name="Remote">the route's public address, <c>https://host:443</c></param>
/// <param name="Served">matched by a forward request and served by this connection</param>
/// <param name="Health">the endpoint's health while served</param>
public sealed record RouteSnapshot(string RouteId, string Remote, IReadOnlyList<Uri> To, bool Served, EndpointHealth Health, bool HasHealthChecks);
