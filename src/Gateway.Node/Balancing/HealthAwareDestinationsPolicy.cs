using Gateway.Actors.Endpoints;
using Gateway.Contracts.Tunnels;
using Gateway.Node.Http;
using Gateway.Node.Routing;
using Gateway.Node.Tunnels;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Node.Balancing;

/// <summary>
/// YARP's available-destinations policy for tunnel routes: <see cref="EndpointAvailability"/> over
/// the cluster's destinations, with each destination's endpoint health read from this node's
/// endpoint table (so degraded is told from healthy) and its passive marks from YARP's passive
/// health and the endpoint suspects. YARP runs it whenever the cluster's destinations change
/// (a new configuration), when a passive mark is set or reactivated, and when
/// <see cref="ProxyHealthState.Refresh"/> asks after a health change; the load balancer then picks
/// among what it returned, with no configuration rebuilt for a health change.
/// </summary>
public sealed class HealthAwareDestinationsPolicy(RouteTable routes, EndpointTable endpoints, EndpointSuspects suspects) : IAvailableDestinationsPolicy
{
    public const string PolicyName = "GatewayHealthAware";

    public string Name => PolicyName;

    public IReadOnlyList<DestinationState> GetAvailalableDestinations(ClusterConfig config, IReadOnlyList<DestinationState> allDestinations)
    {
        ArgumentNullException.ThrowIfNull(config);
        var route = routes.Find(config.ClusterId);
        if (route is null) return allDestinations;
        TunnelEndpoint? EndpointOf(DestinationState d) => ProxyConfigBuilder.EndpointOf(d.DestinationId) is { } id ? endpoints.Find(route.Id, id) : null;
        // A destination whose endpoint has just left the table (the next configuration drops it) counts as failing.
        return EndpointAvailability.Select(allDestinations,
            d => EndpointOf(d)?.Health ?? EndpointHealth.Unknown,
            d => d.Health.Passive == DestinationHealth.Unhealthy || EndpointOf(d) is not { } e || suspects.IsSuspect(e),
            route.HasHealthChecks, route.HealthyPanicThreshold).Endpoints;
    }
}
