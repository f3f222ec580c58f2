using Gateway.Actors.Sessions;

namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// One line of <c>status</c>: a <c>tcpip-forward</c> request this connection made, and the routes
/// it serves. Its JSON field names (snake_case) are a documented contract for scripts.
/// </summary>
/// <param name="BindAddress">the request's address exactly as the client sent it (<c>localhost</c> for a plain <c>-R 0</c>)</param>
/// <param name="RequestedPort">the port the client asked for (0: dynamic)</param>
/// <param name="ServerPort">the port forwarded-tcpip channels carry: the allocated virtual port of a dynamic forward</param>
/// <param name="Mode"><c>dynamic</c>, <c>static_https</c> (port 443), <c>static_ssh</c> (port 22) or <c>none</c> (another port: serves no route)</param>
/// <param name="MatchesAll">a dynamic pattern that matches every route (<c>""</c>, <c>*</c>, <c>localhost</c>)</param>
/// <param name="Routes">the routes this forward serves (a route is served by the first forward that matches it)</param>
/// <param name="NotAdmitted">routes the forward matches whose <c>ssh_policy</c> does not admit this identity</param>
public sealed record ForwardReport(string BindAddress, uint RequestedPort, uint ServerPort, string Mode, bool MatchesAll, IReadOnlyList<ForwardRoute> Routes, IReadOnlyList<ForwardRoute> NotAdmitted)
{
    public static ForwardReport Of(ForwardStatus forward, IReadOnlyList<RouteAdmission> admissions)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(admissions);
        var permission = forward.Permission;
        var served = forward.Routes
            .Select(id => admissions.FirstOrDefault(a => a.Route.RouteId == id)?.Route is { } route ? ForwardRoute.Of(route) : new ForwardRoute(id, id)).ToList();
        var notAdmitted = admissions.Where(a => !a.Admitted && permission.CanServe(a.Route.Address)).Select(a => ForwardRoute.Of(a.Route)).ToList();
        return new ForwardReport(permission.Pattern.Text, permission.RequestedPort, permission.ServerPort, ModeOf(permission.Kind),
            permission.IsDynamic && permission.Pattern.MatchesEverything, served, notAdmitted);
    }

    public static string ModeOf(ForwardKind kind) => kind switch
    {
        ForwardKind.Dynamic => "dynamic",
        ForwardKind.StaticHttps => "static_https",
        ForwardKind.StaticSsh => "static_ssh",
        _ => "none",
    };
}

/// <summary>A route as <c>status</c> names it: its id and public address.</summary>
public sealed record ForwardRoute(string Id, string From)
{
    public static ForwardRoute Of(TunnelRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return new ForwardRoute(route.RouteId, ClusterRouteView.FromUrl(route.Address));
    }
}
