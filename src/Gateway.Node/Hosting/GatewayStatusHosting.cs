using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Endpoints;
using Gateway.Config;
using Gateway.Node.Drain;
using Gateway.Node.Relay;
using Gateway.Node.Routing;
using Gateway.Node.Status;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Hosting;

/// <summary>Readiness, status and the graceful drain (SIGTERM or <c>POST /drain</c> on the status listener).</summary>
public static class GatewayStatusHosting
{
    public static IServiceCollection AddGatewayStatus(this IServiceCollection services, GatewayConfig config)
    {
        var drainTimeout = (config.Cluster ?? new GatewayClusterConfig()).DrainTimeout;
        services.AddSingleton<NodeDrain>();
        // StoppingAsync runs before every hosted service's StopAsync: Kestrel still serves meanwhile.
        services.AddHostedService<DrainOnStop>();
        // The drain, then Kestrel's graceful stop, then leaving the cluster must all fit.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = drainTimeout + TimeSpan.FromSeconds(30));

        services.AddSingleton(sp => new NodeStatus(sp.GetRequiredService<ActorSystem>(), sp.GetRequiredService<ReplicaProgress>(),
            sp.GetRequiredService<EndpointTable>(), sp.GetRequiredService<LocalTunnelRegistry>(), sp.GetRequiredService<RouteTable>(),
            sp.GetRequiredService<EndpointSuspects>(), sp.GetRequiredService<RelayServer>(), sp.GetRequiredService<RelayTicketStore>(),
            sp.GetRequiredService<EndpointDirectoryCounters>(), sp.GetRequiredService<LocalEndpoints>(), sp.GetRequiredService<NodeDrain>(),
            sp.GetRequiredService<Gateway.Actors.Sessions.DataPathCounters>(), sp.GetRequiredService<Http.ProxyRetryCounters>(),
            sp.GetRequiredService<Balancing.RouteHealthView>()));
        services.AddSingleton(_ => StatusToken.Load(config.Cluster, Environment.GetEnvironmentVariable));
        services.AddSingleton<StatusListener>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusListener>());
        return services;
    }
}
