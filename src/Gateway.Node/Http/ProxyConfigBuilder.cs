using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;

namespace Gateway.Node.Http;

/// <summary>
/// Turns <see cref="ProxyRouteDefinition"/>s and the tunnel endpoints currently connected into
/// YARP configuration: one route and one cluster per definition; destinations are the tunnel
/// endpoints (one per endpoint and <c>to</c> URL, addressed by a synthetic host the connect
/// callback resolves) or, for routes that do not use tunnels, the <c>to</c> URLs themselves.
/// Every change publishes a complete new snapshot through <see cref="Provider"/>.
/// </summary>
public sealed class ProxyConfigBuilder
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ProxyRouteDefinition> _routes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _endpoints = new(StringComparer.Ordinal);
    private readonly TunnelDestinationTable _destinations;

    public ProxyConfigBuilder(TunnelDestinationTable destinations)
    {
        _destinations = destinations;
        Provider = new InMemoryConfigProvider([], []);
    }

    /// <summary>Register as YARP's <see cref="IProxyConfigProvider"/>.</summary>
    public InMemoryConfigProvider Provider { get; }

    /// <summary>Replaces every route; endpoints of routes that survive (same id) are kept.</summary>
    public void SetRoutes(IEnumerable<ProxyRouteDefinition> routes)
    {
        var list = routes.ToList();
        foreach (var route in list)
            Validate(route);
        var duplicate = list.GroupBy(r => r.RouteId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"route id '{duplicate.Key}' is used more than once", nameof(routes));
        lock (_gate)
        {
            _routes.Clear();
            foreach (var route in list)
                _routes[route.RouteId] = route;
            foreach (var id in _endpoints.Keys.Where(id => !_routes.ContainsKey(id)).ToList())
                _endpoints.Remove(id);
            Publish();
        }
    }

    public void AddOrUpdateRoute(ProxyRouteDefinition route)
    {
        Validate(route);
        lock (_gate)
        {
            _routes[route.RouteId] = route;
            Publish();
        }
    }

    public bool RemoveRoute(string routeId)
    {
        lock (_gate)
        {
            if (!_routes.Remove(routeId))
                return false;
            _endpoints.Remove(routeId);
            Publish();
            return true;
        }
    }

    /// <summary>
    /// Called by the tunnel layer whenever the set of endpoints serving a route changes. An empty
    /// list leaves the cluster without destinations, which answers 503 at once.
    /// </summary>
    public void UpdateEndpoints(string routeId, IReadOnlyList<string> endpointIds)
    {
        ArgumentNullException.ThrowIfNull(endpointIds);
        var copy = endpointIds.Distinct(StringComparer.Ordinal).ToArray();
        lock (_gate)
        {
            if (copy.Length == 0)
                _endpoints.Remove(routeId);
            else
                _endpoints[routeId] = copy;
            if (_routes.ContainsKey(routeId))
                Publish();
        }
    }

    public IReadOnlyList<string> GetEndpoints(string routeId)
    {
        lock (_gate)
            return _endpoints.TryGetValue(routeId, out var list) ? list : [];
    }

    public bool TryGetRoute(string routeId, out ProxyRouteDefinition? route)
    {
        lock (_gate)
            return _routes.TryGetValue(routeId, out route);
    }

    /// <summary>
    /// True when some route's host covers <paramref name="host"/> (exact, or any name ending in a
    /// <c>*.</c> wildcard's suffix, as routing matches it). Pass to <see cref="LocalCertificateAuthority"/> so leaves are minted
    /// only for route names.
    /// </summary>
    public bool IsRouteHost(string host)
    {
        lock (_gate)
        {
            foreach (var route in _routes.Values)
            {
                if (route.Host.StartsWith("*.", StringComparison.Ordinal))
                {
                    // Same rule as ASP.NET Core host matching (and Envoy): any non-empty prefix.
                    var suffix = route.Host.AsSpan(1);
                    if (host.Length > suffix.Length && host.AsSpan().EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                        return true;
                }
                else if (route.Host.Equals(host, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            return false;
        }
    }

    private void Publish()
    {
        var routes = new List<RouteConfig>(_routes.Count);
        var clusters = new List<ClusterConfig>(_routes.Count);
        var live = new HashSet<TunnelDestination>();
        foreach (var route in _routes.Values.OrderBy(r => r.RouteId, StringComparer.Ordinal))
        {
            routes.Add(BuildRoute(route));
            clusters.Add(BuildCluster(route, live));
        }
        Provider.Update(routes, clusters);
        _destinations.RetainOnly(live);
    }

    private static RouteConfig BuildRoute(ProxyRouteDefinition route)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ProxyMetadata.Public] = Bool(route.AllowPublicUnauthenticatedAccess),
            [ProxyMetadata.UsesTunnel] = Bool(route.UsesTunnel),
            [ProxyMetadata.PreserveHostHeader] = Bool(route.PreserveHostHeader),
        };
        AddIfSet(metadata, ProxyMetadata.HostRewrite, route.HostRewrite);
        AddIfSet(metadata, ProxyMetadata.HostRewriteHeader, route.HostRewriteHeader);
        AddIfSet(metadata, ProxyMetadata.HostPathRegexPattern, route.HostPathRegexRewritePattern);
        AddIfSet(metadata, ProxyMetadata.HostPathRegexSubstitution, route.HostPathRegexRewriteSubstitution);
        return new RouteConfig
        {
            RouteId = route.RouteId,
            ClusterId = route.RouteId,
            Match = new RouteMatch { Hosts = [route.Host], Path = "/{**catch-all}" },
            Timeout = route.Timeout,
            // Upstreams decide what body size they accept, as with Pomerium/Envoy.
            MaxRequestBodySize = -1,
            Metadata = metadata,
        };
    }

    private ClusterConfig BuildCluster(ProxyRouteDefinition route, HashSet<TunnelDestination> live)
    {
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
        if (route.UsesTunnel)
        {
            // Pomerium ignores weights over tunnels; round robin over endpoint x to alternates both.
            if (_endpoints.TryGetValue(route.RouteId, out var endpoints))
            {
                foreach (var endpoint in endpoints)
                {
                    for (var i = 0; i < route.To.Count; i++)
                    {
                        var to = route.To[i];
                        var destination = new TunnelDestination(route.RouteId, endpoint, to.Url);
                        live.Add(destination);
                        var host = _destinations.GetOrAddHost(destination);
                        destinations[endpoint + "#" + i.ToString(CultureInfo.InvariantCulture)] = new DestinationConfig
                        {
                            // Always http: TLS to https upstreams is layered on the tunnel stream by the connect callback.
                            Address = BuildAddress("http", to, host),
                        };
                    }
                }
            }
        }
        else
        {
            // Round robin has no weights; repeating a destination in proportion to its reduced weight gives them.
            var divisor = route.To.Select(t => t.Weight).Aggregate(Gcd);
            for (var i = 0; i < route.To.Count; i++)
            {
                var to = route.To[i];
                var copies = Math.Min(to.Weight / divisor, 100);
                for (var k = 0; k < copies; k++)
                {
                    destinations[FormattableString.Invariant($"to{i}-{k}")] = new DestinationConfig
                    {
                        Address = BuildAddress(to.WireScheme, to, to.Url.Host),
                    };
                }
            }
        }

        var h2c = route.To[0].IsH2c;
        // Over a tunnel, https is TLS the connect callback negotiates with ALPN http/1.1 (see UpstreamTls).
        var http11Only = route.UsesTunnel && route.To.Any(t => t.IsHttps);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tlsName = TlsServerName(route);
        if (tlsName is not null)
            metadata[ProxyMetadata.TlsServerName] = tlsName;
        if (route.UsesTunnel)
            metadata[ProxyMetadata.UsesTunnel] = "true";

        return new ClusterConfig
        {
            ClusterId = route.RouteId,
            LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
            Destinations = destinations,
            HttpRequest = new ForwarderRequestConfig
            {
                ActivityTimeout = route.IdleTimeout,
                Version = h2c ? HttpVersion.Version20 : http11Only ? HttpVersion.Version11 : null,
                VersionPolicy = h2c || http11Only ? HttpVersionPolicy.RequestVersionExact : null,
            },
            HttpClient = new HttpClientConfig { DangerousAcceptAnyServerCertificate = route.TlsSkipVerify },
            Metadata = metadata,
        };
    }

    private static string BuildAddress(string scheme, UpstreamUrl to, string host)
    {
        var builder = new UriBuilder(scheme, host, to.Port, to.Url.AbsolutePath);
        return builder.Uri.AbsoluteUri;
    }

    private static string? TlsServerName(ProxyRouteDefinition route)
    {
        if (!string.IsNullOrEmpty(route.TlsUpstreamServerName))
            return route.TlsUpstreamServerName;
        return route.To.FirstOrDefault(t => t.IsHttps)?.Url.IdnHost;
    }

    /// <summary>Rejects what the HTTP client cannot serve; messages name the route and the option.</summary>
    public static void Validate(ProxyRouteDefinition route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (string.IsNullOrWhiteSpace(route.RouteId))
            throw new ArgumentException("route id must not be empty", nameof(route));
        if (string.IsNullOrWhiteSpace(route.Host) || route.Host.Contains(':') || route.Host.Contains('/'))
            throw new ArgumentException($"route {route.RouteId}: host '{route.Host}' must be a host name without port or path", nameof(route));
        if (route.To is null || route.To.Count == 0)
            throw new ArgumentException($"route {route.RouteId}: 'to' must name at least one URL", nameof(route));
        var h2c = route.To.Count(t => t.IsH2c);
        if (h2c != 0 && h2c != route.To.Count)
            throw new ArgumentException($"route {route.RouteId}: h2c:// 'to' URLs cannot be mixed with http:// or https:// in one route", nameof(route));
        if (route.TlsUpstreamServerName is null
            && route.To.Where(t => t.IsHttps).Select(t => t.Url.IdnHost).Distinct(StringComparer.OrdinalIgnoreCase).Count() > 1)
            throw new ArgumentException($"route {route.RouteId}: https:// 'to' URLs with different hosts need tls_upstream_server_name", nameof(route));
        if (route.HostPathRegexRewritePattern is not null)
        {
            if (route.HostPathRegexRewriteSubstitution is null)
                throw new ArgumentException($"route {route.RouteId}: host_path_regex_rewrite_pattern needs host_path_regex_rewrite_substitution", nameof(route));
            try
            {
                _ = new Regex(route.HostPathRegexRewritePattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"route {route.RouteId}: host_path_regex_rewrite_pattern is not a valid regex: {e.Message}", nameof(route), e);
            }
        }
        if (route.Timeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentException($"route {route.RouteId}: timeout must be positive (leave it unset for none)", nameof(route));
        if (route.IdleTimeout is { } i && i <= TimeSpan.Zero)
            throw new ArgumentException($"route {route.RouteId}: idle_timeout must be positive (leave it unset for the default)", nameof(route));
    }

    private static void AddIfSet(Dictionary<string, string> metadata, string key, string? value)
    {
        if (value is not null)
            metadata[key] = value;
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
