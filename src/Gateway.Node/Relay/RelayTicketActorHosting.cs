using Akka.Hosting;
using Gateway.Actors.Endpoints;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Relay;

/// <summary>
/// Starts this node's <see cref="RelayTicketActor"/> at <c>/user/relay</c>, where peers address it
/// by path (not through the actor registry) to ask for tokens, and the
/// <see cref="RelayReachabilityActor"/> that cuts relay connections to unreachable members.
/// </summary>
public static class RelayTicketActorHosting
{
    public static AkkaConfigurationBuilder WithRelayTicketActor(this AkkaConfigurationBuilder builder, IServiceProvider services)
        => builder.WithActors((system, _) =>
            system.ActorOf(RelayTicketActor.Props(services.GetRequiredService<RelayTicketStore>(),
                services.GetRequiredService<LocalEndpoints>(), services.GetRequiredService<LocalTunnelRegistry>(),
                services.GetRequiredService<TunnelRouteCatalog>()), RelayTicketActor.Name))
            .WithActors((system, _) => system.ActorOf(RelayReachabilityActor.Props(services.GetRequiredService<RelayClient>()), "relay-reachability"));
}
