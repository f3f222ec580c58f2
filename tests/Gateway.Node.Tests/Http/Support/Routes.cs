using Gateway.Config;
using Gateway.Node.Http;
using Gateway.Node.Routing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Node.Tests.Http.Support;

/// <summary>Routes as the config loader would produce them, compiled the way a node compiles them.</summary>
public static class Routes
{
    /// <summary>
    /// A public https tunnel route (<c>upstream_tunnel</c> set). Timeouts are off (<c>0</c>), so a
    /// test that wants one sets it; <c>with { UpstreamTunnel = null }</c> makes a direct route.
    /// </summary>
    public static RouteConfig Public(string id, string host, params string[] to) => new()
    {
        Id = id,
        From = new RouteFrom("https", host, null, host.StartsWith("*.", StringComparison.Ordinal), "https://" + host),
        To = to.Select(Target).ToList(),
        AllowPublicUnauthenticatedAccess = true,
        UpstreamTunnel = new UpstreamTunnelConfig(null),
        Timeout = TimeSpan.Zero,
        IdleTimeout = TimeSpan.Zero,
    };

    /// <summary>One <c>to</c> entry in Pomerium's <c>"url[,weight]"</c> syntax.</summary>
    public static RouteTarget Target(string text)
    {
        var parsed = UpstreamUrl.Parse(text);
        return new RouteTarget(parsed.Url, text.Contains(',', StringComparison.Ordinal) ? parsed.Weight : null);
    }

    public static RouteTable Table(IEnumerable<RouteConfig> routes, bool tunnels = true)
        => RouteTable.Compile(new GatewayConfig { Routes = routes.ToList(), RuntimeFlags = new RuntimeFlags(tunnels) }, NullLogger.Instance);
}
