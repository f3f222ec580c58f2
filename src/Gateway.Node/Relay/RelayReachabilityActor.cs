using Akka.Actor;
using Akka.Cluster;

namespace Gateway.Node.Relay;

/// <summary>
/// Cuts this node's relay connections to a member the failure detector marks unreachable. A
/// frozen node (SIGSTOP, a stalled VM) keeps its TCP connections open while answering nothing;
/// requests waiting on pooled relay connections to it would otherwise wait for their timeout,
/// and the dialer notices a silent node only when a new connection has to be opened. Cut, they
/// fail before any response byte and are sent again on another endpoint where that is safe.
/// </summary>
public sealed class RelayReachabilityActor : ReceiveActor
{
    public RelayReachabilityActor(RelayClient relay)
    {
        Receive<ClusterEvent.UnreachableMember>(e => relay.AbortConnectionsTo(e.Member.Address.ToString()));
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    public static Props Props(RelayClient relay) => Akka.Actor.Props.Create(() => new RelayReachabilityActor(relay));

    protected override void PreStart()
        => Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.UnreachableMember));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
