using Gateway.Config;

namespace Gateway.Node.Routing;

/// <summary>
/// Every route of the node, compiled once at start from the validated config (one DI
/// singleton). The proxy, the tunnel catalog and the status endpoints are projections of it.
/// </summary>
public sealed class RouteTable
{
    public const string TunnelDisabledWarning = "upstream_tunnel support is disabled; enable it with the runtime flag ssh_upstream_tunnel";

    private readonly Dictionary<string, RouteModel> _byId;

    private RouteTable(IReadOnlyList<RouteModel> routes)
    {
        // The config loader already refused duplicate ids; this only guards hand-built configs.
        _byId = new Dictionary<string, RouteModel>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            if (!_byId.TryAdd(route.Id, route))
                throw new ArgumentException($"route id '{route.Id}' is used more than once", nameof(routes));
        }
        All = routes;
        Http = routes.Where(r => r.IsHttps).ToList();
        Tunnel = routes.Where(r => r.UsesTunnel).ToList();
    }

    public static RouteTable Empty { get; } = new([]);

    /// <summary>Every route, in config order.</summary>
    public IReadOnlyList<RouteModel> All { get; }

    /// <summary>The https routes: what the HTTP proxy serves.</summary>
    public IReadOnlyList<RouteModel> Http { get; }

    /// <summary>The routes that take tunnel endpoints (<see cref="RouteModel.UsesTunnel"/>), https and ssh.</summary>
    public IReadOnlyList<RouteModel> Tunnel { get; }

    public RouteModel? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>True when some https route covers <paramref name="host"/> (see <see cref="RouteModel.CoversHost"/>): the names worth a certificate.</summary>
    public bool IsRouteHost(string host)
    {
        foreach (var route in Http)
        {
            if (route.CoversHost(host))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The https route that serves <paramref name="host"/>: the route named exactly, else the
    /// wildcard route with the longest suffix that covers it; null when none does.
    /// </summary>
    public RouteModel? FindHttp(string host)
    {
        RouteModel? wildcard = null;
        foreach (var route in Http)
        {
            if (!route.CoversHost(host))
                continue;
            if (!route.IsWildcard)
                return route;
            if (wildcard is null || route.Host.Length > wildcard.Host.Length)
                wildcard = route;
        }
        return wildcard;
    }

    /// <summary>Compiles every route of a validated config; warns once per route whose tunnel the runtime flag turned off.</summary>
    public static RouteTable Compile(GatewayConfig config, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(logger);
        var routes = new List<RouteModel>(config.Routes.Count);
        for (var i = 0; i < config.Routes.Count; i++)
        {
            var route = RouteModel.Compile(config.Routes[i], $"routes[{i}]", config.RuntimeFlags);
            if (route.TunnelDisabled && route.IsHttps)
                logger.LogWarning("route {Route}: {Warning}", route.Id, TunnelDisabledWarning);
            routes.Add(route);
        }
        return new RouteTable(routes);
    }
}
