using Gateway.Config;
using Gateway.Node.Cluster;
using Gateway.Node.SignIn;

namespace Gateway.Node.Hosting;

/// <summary>
/// One gateway node as services of a host. Start: the route table feed, then Akka (cluster, route
/// shards, replica), then Kestrel; once all started, the relay, SSH and status listeners. Stop:
/// the drain (<see cref="Drain.DrainOnStop"/>), then Kestrel, then Akka's coordinated shutdown
/// (leaving the cluster), then the status, SSH and relay listeners close (docs/cluster.md).
/// </summary>
public static class GatewayNodeHosting
{
    public static IServiceCollection AddGatewayNode(this IServiceCollection services, GatewayConfig config)
    {
        services.AddSingleton(config);
        services.AddGatewayHttp(config);
        services.AddGatewaySignIn(config);
        services.AddGatewayCluster(config);
        // Registration order is start order among the listeners, and the reverse is their stop order.
        services.AddGatewayRelay(config);
        services.AddGatewaySsh();
        services.AddGatewayStatus(config);
        GatewayHttpHosting.RemoveDataProtectionWarmUp(services);
        return services;
    }
}
