using Gateway.Actors.Endpoints;
using Gateway.Actors.Sessions;

namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// The tunnel routes one identity may serve, with their state in the whole cluster, read from
/// this node's replica of every node's endpoints (no actor hop, no other node asked).
/// </summary>
public sealed class ClusterRouteView(EndpointTable endpoints)
{
    /// <summary>The admitted routes in config order; routes whose <c>ssh_policy</c> refused the identity are left out.</summary>
    public IReadOnlyList<RouteReport> Read(IEnumerable<RouteAdmission> admissions)
    {
        ArgumentNullException.ThrowIfNull(admissions);
        return admissions.Where(a => a.Admitted).Select(a => Report(a.Route)).ToList();
    }

    private RouteReport Report(TunnelRoute route)
    {
        var hasChecks = route.HealthChecks is { Checks.Count: > 0 };
        var state = RouteState.Of(endpoints.Get(route.RouteId), hasChecks);
        return new RouteReport(route.RouteId, FromUrl(route.Address), route.To.Select(t => t.OriginalString).ToList(), state.Status, state.Health, hasChecks, state.Endpoints);
    }

    /// <summary>The route's public address as a URL, e.g. <c>https://app.example.com</c>.</summary>
    public static string FromUrl(RouteAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return (address.Scheme == RouteScheme.Https ? "https://" : "ssh://") + address.Hostname;
    }
}
