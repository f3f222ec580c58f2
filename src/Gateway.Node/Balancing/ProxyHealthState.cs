using Gateway.Contracts.Tunnels;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Node.Balancing;

/// <summary>
/// This node's access to YARP's destination health: the passive state (set by outlier detection,
/// reset by YARP after the reactivation period), the active state (a mirror of the endpoints'
/// health, which YARP's logs and tools read) and the recomputation of a cluster's available
/// destinations. YARP's services are resolved on first use: the proxy's own services depend on the
/// tunnel dialer, which depends on this.
/// </summary>
public sealed class ProxyHealthState(IServiceProvider services)
{
    private IProxyStateLookup? _lookup;
    private IClusterDestinationsUpdater? _updater;
    private IDestinationHealthUpdater? _health;

    private IProxyStateLookup Lookup => _lookup ??= services.GetRequiredService<IProxyStateLookup>();
    private IClusterDestinationsUpdater Updater => _updater ??= services.GetRequiredService<IClusterDestinationsUpdater>();
    private IDestinationHealthUpdater Health => _health ??= services.GetRequiredService<IDestinationHealthUpdater>();

    public bool TryGetCluster(string routeId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ClusterState? cluster)
        => Lookup.TryGetCluster(routeId, out cluster);

    /// <summary>True when YARP's passive health marks the destination unhealthy (until its reactivation).</summary>
    public bool IsEjected(string routeId, string destinationId)
        => TryGetCluster(routeId, out var cluster)
           && cluster.Destinations.TryGetValue(destinationId, out var destination)
           && destination.Health.Passive == DestinationHealth.Unhealthy;

    /// <summary>The route's destinations YARP's passive health marks unhealthy now.</summary>
    public IReadOnlySet<string> Ejected(string routeId)
    {
        if (!TryGetCluster(routeId, out var cluster)) return new HashSet<string>();
        return cluster.Destinations.Values.Where(d => d.Health.Passive == DestinationHealth.Unhealthy)
            .Select(d => d.DestinationId).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Marks a destination passively unhealthy; YARP sets it back to unknown after <paramref name="period"/> and recomputes the cluster both times.</summary>
    public bool Eject(string routeId, string destinationId, TimeSpan period)
    {
        if (!TryGetCluster(routeId, out var cluster) || !cluster.Destinations.TryGetValue(destinationId, out var destination)) return false;
        if (destination.Health.Passive == DestinationHealth.Unhealthy) return false;
        Health.SetPassive(cluster, destination, DestinationHealth.Unhealthy, period);
        return true;
    }

    /// <summary>
    /// After the endpoints' health (or the suspects) changed: mirrors the health into YARP's active
    /// state and recomputes each route's available destinations (the route's policy reads the
    /// endpoints' health itself, so degraded and healthy, both "healthy" to YARP, are told apart).
    /// </summary>
    public void Refresh(IEnumerable<string> routeIds, Func<string, string, EndpointHealth> healthOf)
    {
        foreach (var routeId in routeIds)
        {
            if (!TryGetCluster(routeId, out var cluster) || cluster.DestinationsState is null) continue;
            var active = new List<NewActiveDestinationHealth>();
            foreach (var destination in cluster.Destinations.Values)
            {
                if (Http.ProxyConfigBuilder.EndpointOf(destination.DestinationId) is not { } endpoint) continue;
                active.Add(new NewActiveDestinationHealth(destination, ToYarp(healthOf(routeId, endpoint))));
            }
            Health.SetActive(cluster, active);
            Updater.UpdateAvailableDestinations(cluster);
        }
    }

    /// <summary>YARP knows healthy, unhealthy and unknown; degraded passes its checks, so it is healthy to YARP.</summary>
    public static DestinationHealth ToYarp(EndpointHealth health) => health switch
    {
        EndpointHealth.Healthy or EndpointHealth.Degraded => DestinationHealth.Healthy,
        EndpointHealth.Unhealthy => DestinationHealth.Unhealthy,
        _ => DestinationHealth.Unknown,
    };
}
