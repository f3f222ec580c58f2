using Gateway.Node.Http;

namespace Gateway.Node.Tests.Http.Support;

public static class Routes
{
    public static ProxyRouteDefinition Public(string id, string host, params string[] to) => new()
    {
        RouteId = id,
        Host = host,
        To = to.Select(UpstreamUrl.Parse).ToList(),
        AllowPublicUnauthenticatedAccess = true,
    };
}
