using Akka.Hosting;

namespace Gateway.Actors.Routes;

/// <summary>Starts this node's <see cref="EndpointTableActor"/>, the writer of its <see cref="EndpointTable"/> replica.</summary>
public static class EndpointTableHosting
{
    public const string ActorName = "endpoint-table";

    public static AkkaConfigurationBuilder WithEndpointTableReplica(this AkkaConfigurationBuilder builder, EndpointTable table)
        => builder.WithActors((system, registry) =>
            registry.Register<EndpointTableActor>(system.ActorOf(EndpointTableActor.Props(table), ActorName)));
}
