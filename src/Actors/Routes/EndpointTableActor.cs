using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Gateway.Contracts.Messages;

namespace Gateway.Actors.Routes;

/// <summary>
/// One per node: subscribes to the endpoint updates that route actors publish and writes them into
/// this node's <see cref="EndpointTable"/>; prunes a node's endpoints the moment it becomes
/// unreachable or leaves, without waiting for the route actor.
/// </summary>
public sealed class EndpointTableActor : ReceiveActor
{
    public const string Topic = "route-endpoints";

    private readonly EndpointTable _table;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public EndpointTableActor(EndpointTable table)
    {
        _table = table;
        Receive<SubscribeAck>(_ => _log.Debug("subscribed to {0}", Topic));
        Receive<RouteEndpointsUpdated>(update => _table.Apply(update));
        Receive<ClusterEvent.UnreachableMember>(e => _table.PruneNode(e.Member.Address.ToString()));
        Receive<ClusterEvent.MemberRemoved>(e => _table.PruneNode(e.Member.Address.ToString()));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    public static Props Props(EndpointTable table) => Akka.Actor.Props.Create(() => new EndpointTableActor(table));

    protected override void PreStart()
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(Topic, Self));
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));
    }

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);
}
