using Gateway.Config;
using Gateway.Node.Http;

namespace Gateway.Node.Hosting;

/// <summary>Maps configured routes onto the HTTP side's route definitions.</summary>
public static class ProxyRoutes
{
    public const string TunnelDisabledWarning = "upstream_tunnel support is disabled; enable it with the runtime flag ssh_upstream_tunnel";

    public static IReadOnlyList<ProxyRouteDefinition> FromConfig(GatewayConfig config, ILogger logger)
    {
        var routes = new List<ProxyRouteDefinition>();
        foreach (var route in config.Routes.Where(r => r.From.IsHttps))
        {
            var usesTunnel = route.UpstreamTunnel is not null && config.RuntimeFlags.SshUpstreamTunnel;
            if (route.UpstreamTunnel is not null && !usesTunnel)
                logger.LogWarning("route {Route}: {Warning}", route.Id, TunnelDisabledWarning);
            routes.Add(new ProxyRouteDefinition
            {
                RouteId = route.Id,
                Host = route.From.Host,
                To = route.To.Select(t => new UpstreamUrl(t.Url, t.Weight ?? 1)).ToList(),
                AllowPublicUnauthenticatedAccess = route.AllowPublicUnauthenticatedAccess,
                PreserveHostHeader = route.PreserveHostHeader,
                HostRewrite = route.HostRewrite,
                HostRewriteHeader = route.HostRewriteHeader,
                HostPathRegexRewritePattern = route.HostPathRegexRewritePattern,
                HostPathRegexRewriteSubstitution = route.HostPathRegexRewriteSubstitution,
                Timeout = route.Timeout > TimeSpan.Zero ? route.Timeout : null,
                IdleTimeout = route.IdleTimeout > TimeSpan.Zero ? route.IdleTimeout : null,
                UsesTunnel = usesTunnel,
            });
        }
        return routes;
    }
}
