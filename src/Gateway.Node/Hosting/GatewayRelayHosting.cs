using Gateway.Config;
using Gateway.Node.Relay;

namespace Gateway.Node.Hosting;

/// <summary>Node-to-node relay: the relay port, its listener, the client that dials peers, and the tokens.</summary>
public static class GatewayRelayHosting
{
    public static IServiceCollection AddGatewayRelay(this IServiceCollection services, GatewayConfig config)
    {
        var cluster = config.Cluster ?? new GatewayClusterConfig();
        services.AddSingleton(_ => new RelayListenerSocket(cluster.RelayAddress, cluster.Hostname));
        services.AddSingleton<RelayTicketStore>();
        services.AddSingleton<Gateway.Node.Tunnels.EndpointSuspects>();
        services.AddSingleton<Gateway.Actors.Sessions.DataPathCounters>();
        services.AddSingleton<RelayTls>();
        services.AddSingleton<RelayClient>();
        services.AddSingleton<RelayServer>();
        services.AddHostedService(sp => sp.GetRequiredService<RelayServer>());
        return services;
    }
}
