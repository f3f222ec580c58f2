using System.Globalization;
using System.Net;
using Gateway.Node.Balancing;
using Gateway.Node.Routing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;
using DestinationModel = Yarp.ReverseProxy.Model.DestinationModel;
using DestinationState = Yarp.ReverseProxy.Model.DestinationState;

namespace Gateway.Node.Http;

/// <summary>
/// The YARP projection of the <see cref="RouteTable"/>: one YARP route and one cluster per https
/// route. Destinations are the tunnel endpoints currently connected (one per endpoint and
/// <c>to</c> URL, addressed by a synthetic host the connect callback resolves) or, for routes that
/// do not use tunnels, the <c>to</c> URLs themselves. Every endpoint change publishes a complete
/// new snapshot through <see cref="Provider"/>.
/// </summary>
public sealed class ProxyConfigBuilder
{
    private readonly object _gate = new();
    private readonly IReadOnlyList<RouteModel> _routes;
    private readonly HashSet<string> _routeIds;
    private readonly Dictionary<string, IReadOnlyList<string>> _endpoints = new(StringComparer.Ordinal);
    private readonly TunnelDestinationTable _destinations;
    private readonly Dictionary<string, IReadOnlyList<DestinationState>> _anyEndpoint = new(StringComparer.Ordinal);
    private readonly List<TunnelDestination> _anyEndpointTargets = [];

    /// <summary>
    /// The endpoint id of a route's stand-in destinations (<see cref="AnyEndpointDestinations"/>):
    /// no endpoint has it, so the dialer takes any live endpoint of the route.
    /// </summary>
    public const string AnyEndpoint = "*";

    public ProxyConfigBuilder(RouteTable routes, TunnelDestinationTable destinations)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _routes = routes.Http.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        _routeIds = _routes.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        _destinations = destinations;
        foreach (var route in _routes.Where(r => r.UsesTunnel))
        {
            var list = new List<DestinationState>(route.HttpUpstreams.Count);
            for (var i = 0; i < route.HttpUpstreams.Count; i++)
            {
                var target = new TunnelDestination(route.Id, AnyEndpoint, route.HttpUpstreams[i].Url);
                _anyEndpointTargets.Add(target);
                var config = new DestinationConfig { Address = BuildAddress("http", route.HttpUpstreams[i], _destinations.GetOrAddHost(target)) };
                list.Add(new DestinationState(DestinationId(AnyEndpoint, i), new DestinationModel(config)));
            }
            _anyEndpoint[route.Id] = list;
        }
        Provider = new InMemoryConfigProvider([], []);
        lock (_gate)
            Publish();
    }

    /// <summary>Register as YARP's <see cref="IProxyConfigProvider"/>.</summary>
    public InMemoryConfigProvider Provider { get; }

    /// <summary>
    /// Called by the tunnel layer whenever the set of endpoints serving a route changes. An empty
    /// list leaves the cluster without destinations, which answers 503 at once.
    /// </summary>
    public void UpdateEndpoints(string routeId, IReadOnlyList<string> endpointIds)
        => UpdateEndpoints(new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [routeId] = endpointIds });

    /// <summary>Several routes' endpoint lists at once: one new proxy configuration for all of them.</summary>
    public void UpdateEndpoints(IReadOnlyDictionary<string, IReadOnlyList<string>> endpointIdsByRoute)
    {
        ArgumentNullException.ThrowIfNull(endpointIdsByRoute);
        lock (_gate)
        {
            var publish = false;
            foreach (var (routeId, endpointIds) in endpointIdsByRoute)
            {
                var copy = endpointIds.Distinct(StringComparer.Ordinal).ToArray();
                var before = _endpoints.GetValueOrDefault(routeId) ?? [];
                // A health change alone leaves the destinations as they are: YARP recomputes the
                // available ones without a new configuration.
                if (before.SequenceEqual(copy, StringComparer.Ordinal))
                    continue;
                if (copy.Length == 0)
                    _endpoints.Remove(routeId);
                else
                    _endpoints[routeId] = copy;
                publish |= _routeIds.Contains(routeId);
            }
            if (publish)
                Publish();
        }
    }

    /// <summary>The routes that have destinations now.</summary>
    public IReadOnlyCollection<string> RouteIdsWithEndpoints
    {
        get { lock (_gate) return [.. _endpoints.Keys]; }
    }

    /// <summary>
    /// Destinations (one per <c>to</c>) that stand for "any live endpoint of the route": used when
    /// the proxy's view of a tunnel route is empty or used up while this node's endpoint table may
    /// list endpoints the view does not show yet. Empty for routes without tunnels.
    /// </summary>
    public IReadOnlyList<DestinationState> AnyEndpointDestinations(string routeId)
        => _anyEndpoint.GetValueOrDefault(routeId) ?? [];

    /// <summary>The tunnel endpoint a destination id names (<see cref="AnyEndpoint"/> for the stand-ins), null for direct routes' destinations.</summary>
    public static string? EndpointOf(string destinationId)
    {
        var cut = destinationId.LastIndexOf('#');
        return cut > 0 ? destinationId[..cut] : null;
    }

    /// <summary>The id of the destination for a tunnel endpoint and the route's <paramref name="toIndex"/>-th <c>to</c>.</summary>
    public static string DestinationId(string endpointId, int toIndex) => endpointId + "#" + toIndex.ToString(CultureInfo.InvariantCulture);

    public IReadOnlyList<string> GetEndpoints(string routeId)
    {
        lock (_gate)
            return _endpoints.TryGetValue(routeId, out var list) ? list : [];
    }

    private void Publish()
    {
        var routes = new List<RouteConfig>(_routes.Count);
        var clusters = new List<ClusterConfig>(_routes.Count);
        var live = new HashSet<TunnelDestination>(_anyEndpointTargets);
        foreach (var route in _routes)
        {
            routes.Add(BuildRoute(route));
            clusters.Add(BuildCluster(route, live));
        }
        Provider.Update(routes, clusters);
        _destinations.RetainOnly(live);
    }

    private static RouteConfig BuildRoute(RouteModel route)
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
            RouteId = route.Id,
            ClusterId = route.Id,
            Match = new RouteMatch { Hosts = [route.Host], Path = "/{**catch-all}" },
            Timeout = route.Timeout,
            // Upstreams decide what body size they accept, as with Pomerium/Envoy.
            MaxRequestBodySize = -1,
            Metadata = metadata,
        };
    }

    private ClusterConfig BuildCluster(RouteModel route, HashSet<TunnelDestination> live)
    {
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
        if (route.UsesTunnel)
        {
            // Pomerium ignores weights over tunnels; round robin over endpoint x to alternates both.
            if (_endpoints.TryGetValue(route.Id, out var endpoints))
            {
                foreach (var endpoint in endpoints)
                {
                    for (var i = 0; i < route.HttpUpstreams.Count; i++)
                    {
                        var to = route.HttpUpstreams[i];
                        var destination = new TunnelDestination(route.Id, endpoint, to.Url);
                        live.Add(destination);
                        var host = _destinations.GetOrAddHost(destination);
                        destinations[DestinationId(endpoint, i)] = new DestinationConfig
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
            var divisor = route.HttpUpstreams.Select(t => t.Weight).Aggregate(Gcd);
            for (var i = 0; i < route.HttpUpstreams.Count; i++)
            {
                var to = route.HttpUpstreams[i];
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

        var h2c = route.HttpUpstreams[0].IsH2c;
        // Over a tunnel, https is TLS the connect callback negotiates with ALPN http/1.1 (see UpstreamTls).
        var http11Only = route.UsesTunnel && route.HttpUpstreams.Any(t => t.IsHttps);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (route.TlsServerName is not null)
            metadata[ProxyMetadata.TlsServerName] = route.TlsServerName;
        if (route.UsesTunnel)
            metadata[ProxyMetadata.UsesTunnel] = "true";

        return new ClusterConfig
        {
            ClusterId = route.Id,
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
            // Health (active from the endpoint table, passive from this node's outlier detection)
            // decides which tunnel endpoints load balancing sees; see docs/health-checks.md#routing.
            HealthCheck = route.UsesTunnel ? TunnelHealth : null,
        };
    }

    private static readonly HealthCheckConfig TunnelHealth = new()
    {
        AvailableDestinationsPolicy = HealthAwareDestinationsPolicy.PolicyName,
        Passive = new PassiveHealthCheckConfig
        {
            Enabled = true,
            Policy = TunnelPassiveHealthPolicy.PolicyName,
            ReactivationPeriod = TunnelOutlierDetection.EjectionTime,
        },
    };

    private static string BuildAddress(string scheme, UpstreamUrl to, string host)
    {
        var builder = new UriBuilder(scheme, host, to.Port, to.Url.AbsolutePath);
        return builder.Uri.AbsoluteUri;
    }

    private static void AddIfSet(Dictionary<string, string> metadata, string key, string? value)
    {
        if (value is not null)
            metadata[key] = value;
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
