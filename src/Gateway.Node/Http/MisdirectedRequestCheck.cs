using Gateway.Node.Routing;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Node.Http;

/// <summary>
/// A TLS connection is made for one name (SNI) and may then carry requests for another (Host, or
/// HTTP/2's :authority). That is fine, and what HTTP/2 connection coalescing relies on, when both
/// names are served the same certificate and belong to routes with the same access rules. When
/// either differs the request is refused with 421 Misdirected Request (RFC 9110 §15.5.20), as
/// Envoy and Pomerium do, and a browser retries on a connection of its own for that host.
/// Connections without SNI (clients that connect to an address) are not checked, nor those whose
/// SNI is an address literal, which RFC 6066 §3 does not allow but some clients (wrk) send for
/// <c>https://127.0.0.1/</c>: such a connection names no host either.
/// </summary>
public sealed class MisdirectedRequestCheck
{
    private readonly RouteTable _routes;
    private readonly IServiceProvider _services;
    private ICertificateSelector? _certificates;

    public MisdirectedRequestCheck(RouteTable routes, IServiceProvider services)
    {
        _routes = routes;
        _services = services;
    }

    /// <summary>Null when the request may use this connection; otherwise why not, for the log.</summary>
    public string? Check(HttpContext context, string routeId)
    {
        var serverName = context.Features.Get<ITlsHandshakeFeature>()?.HostName;
        if (string.IsNullOrEmpty(serverName) || System.Net.IPAddress.TryParse(serverName, out _))
            return null;
        var host = context.Request.Host.Host;
        if (string.Equals(serverName.TrimEnd('.'), host.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
            return null;
        var hostRoute = _routes.Find(routeId);
        if (hostRoute is null)
            return null;
        var serverNameRoute = _routes.FindHttp(serverName.TrimEnd('.'));
        if (serverNameRoute is null)
            return "the connection's server name matches no route";
        // Resolved on first use: without TLS there is no server name and no certificate to compare.
        var certificates = _certificates ??= _services.GetService<ICertificateSelector>();
        if (certificates is not null && !certificates.SelectsSameCertificate(serverName, host))
            return $"the connection was made for route {serverNameRoute.Id} with another certificate";
        if (serverNameRoute.Access != hostRoute.Access)
            return $"the connection was made for route {serverNameRoute.Id}, whose access rules differ";
        return null;
    }
}
