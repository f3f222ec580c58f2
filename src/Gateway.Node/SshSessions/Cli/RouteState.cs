using Gateway.Contracts.Tunnels;

namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// A tunnel route's status and health as the <c>routes</c> command shows them, from its endpoints
/// on every node (the endpoint table replica) and the health each endpoint's checks found.
/// </summary>
/// <remarks>
/// Status: <c>ACTIVE</c> when some SSH connection serves the route anywhere in the cluster,
/// <c>INACTIVE</c> when connections serve it but every one fails the route's health checks (the
/// reference's "ejected" state), <c>NONE</c> (shown <c>--</c>) when none does. Health is the best
/// any endpoint has, because a request goes to the healthiest endpoint there is: <c>HEALTHY</c>,
/// then <c>DEGRADED</c>, then <c>UNKNOWN</c> (a check has not answered yet, or the route has no
/// <c>health_checks</c>), then <c>UNHEALTHY</c>; <c>NONE</c> (<c>--</c>) without endpoints.
/// </remarks>
public sealed record RouteState(string Status, string Health, EndpointCounts Endpoints)
{
    public const string Active = "ACTIVE";
    public const string Inactive = "INACTIVE";
    public const string None = "NONE";

    public static RouteState Of(IReadOnlyCollection<TunnelEndpoint> endpoints, bool hasHealthChecks)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var counts = new EndpointCounts(
            endpoints.Count,
            endpoints.Count(e => e.Health == EndpointHealth.Healthy),
            endpoints.Count(e => e.Health == EndpointHealth.Degraded),
            endpoints.Count(e => e.Health == EndpointHealth.Unhealthy),
            endpoints.Count(e => e.Health == EndpointHealth.Unknown));
        if (counts.Total == 0) return new RouteState(None, None, counts);
        var health = counts.Healthy > 0 ? EndpointHealth.Healthy
            : counts.Degraded > 0 ? EndpointHealth.Degraded
            : counts.Unknown > 0 ? EndpointHealth.Unknown
            : EndpointHealth.Unhealthy;
        var status = hasHealthChecks && health == EndpointHealth.Unhealthy ? Inactive : Active;
        return new RouteState(status, health.ToString().ToUpperInvariant(), counts);
    }

    /// <summary>How a status or health shows in a text table: <c>--</c> for <see cref="None"/>.</summary>
    public static string Text(string value) => value == None ? "--" : value;
}

/// <summary>A route's endpoints in the whole cluster, by the health their checks found.</summary>
public sealed record EndpointCounts(int Total, int Healthy, int Degraded, int Unhealthy, int Unknown);
