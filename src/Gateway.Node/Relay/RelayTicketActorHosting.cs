using Akka.Hosting;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Relay;

/// <summary>
/// Starts this node's <see cref="RelayTicketActor"/> at <c>/user/relay</c>, where peers address it
/// by path (not through the actor registry) to ask for tokens.
/// </summary>
public static class RelayTicketActorHosting
{
    public static AkkaConfigurationBuilder WithRelayTicketActor(this AkkaConfigurationBuilder builder, IServiceProvider services)
        => builder.WithActors((system, _) =>
            system.ActorOf(RelayTicketActor.Props(services.GetRequiredService<RelayTicketStore>(),
                services.GetRequiredService<LocalTunnelRegistry>(), services.GetRequiredService<TunnelRouteCatalog>()), RelayTicketActor.Name));
}
