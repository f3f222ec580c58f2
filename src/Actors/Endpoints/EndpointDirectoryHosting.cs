using Akka.Hosting;

namespace Gateway.Actors.Endpoints;

/// <summary>
/// Starts this node's endpoint directory (publishes the endpoints of the SSH connections held here)
/// and its replica (follows every other node's). Nothing local sends to them, so they are not in
/// the actor registry: sessions write through <see cref="LocalEndpoints"/>, the request path reads
/// <see cref="EndpointTable"/>.
/// </summary>
public static class EndpointDirectoryHosting
{
    public static AkkaConfigurationBuilder WithEndpointDirectory(this AkkaConfigurationBuilder builder,
        LocalEndpoints local, EndpointTable table, ReplicaProgress progress, EndpointDirectorySettings settings,
        EndpointDirectoryCounters counters)
        => builder.WithActors((system, _) =>
        {
            system.ActorOf(NodeEndpointDirectoryActor.Props(local, settings, counters), NodeEndpointDirectoryActor.ActorName);
            system.ActorOf(EndpointReplicaActor.Props(table, progress, counters), EndpointReplicaActor.ActorName);
        });
}
