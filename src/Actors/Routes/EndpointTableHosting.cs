using Akka.Hosting;

namespace Gateway.Actors.Routes;

/// <summary>
/// Starts this node's <see cref="EndpointTableActor"/>, the writer of its <see cref="EndpointTable"/>
/// replica. Nothing sends to it but pub-sub and cluster events, so it is not in the actor registry.
/// </summary>
public static class EndpointTableHosting
{
    public const string ActorName = "endpoint-table";

    public static AkkaConfigurationBuilder WithEndpointTableReplica(this AkkaConfigurationBuilder builder, EndpointTable table)
        => builder.WithActors((system, _) => system.ActorOf(EndpointTableActor.Props(table), ActorName));
}
