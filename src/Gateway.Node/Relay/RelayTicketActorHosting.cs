using Akka.Hosting;
using Gateway.Actors.Routes;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Relay;

/// <summary>Starts this node's <see cref="RelayTicketActor"/> at <c>/user/relay</c>, where peers ask it for tokens.</summary>
public static class RelayTicketActorHosting
{
    public static AkkaConfigurationBuilder WithRelayTicketActor(this AkkaConfigurationBuilder builder, IServiceProvider services)
        => builder.WithActors((system, registry) =>
            registry.Register<RelayTicketActor>(system.ActorOf(RelayTicketActor.Props(services.GetRequiredService<RelayTicketStore>(),
                services.GetRequiredService<EndpointTable>(), services.GetRequiredService<LocalTunnelRegistry>(),
                services.GetRequiredService<TunnelRouteCatalog>()), RelayTicketActor.Name)));
}
