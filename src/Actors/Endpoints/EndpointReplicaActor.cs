using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Gateway.Contracts.Messages;
using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Endpoints;

/// <summary>
/// One per node: keeps this node's <see cref="EndpointTable"/> in step with every other node's
/// endpoints (through <see cref="EndpointReplica"/>), drops a node's endpoints the moment it becomes
/// unreachable or leaves, and asks a node for a snapshot when it joins, becomes reachable again,
/// or a delta from it was missed. Accepts a node's deltas, digests and snapshots only when that
/// node's own directory sent them and only for endpoints on that node: a member cannot announce
/// endpoints for another.
/// </summary>
public sealed class EndpointReplicaActor : ReceiveActor
{
    public const string ActorName = "endpoint-replica";

    private readonly EndpointReplica _replica;
    private readonly ReplicaProgress _progress;
    private readonly EndpointDirectoryCounters _counters;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly string _self;

    public EndpointReplicaActor(EndpointTable table, ReplicaProgress progress, EndpointDirectoryCounters counters)
    {
        _replica = new EndpointReplica(table);
        _progress = progress;
        _counters = counters;
        _self = _cluster.SelfAddress.ToString();

        Receive<SubscribeAck>(_ => _log.Debug("subscribed to {0}", NodeEndpointDirectoryActor.Topic));
        Receive<NodeEndpointsDelta>(delta =>
        {
            if (!Trusted(delta.NodeAddress, delta.Added)) return;
            _counters.DeltaReceived();
            Act(delta.NodeAddress, _replica.OnDelta(delta));
        });
        Receive<NodeEndpointsDigest>(digest =>
        {
            if (!Trusted(digest.NodeAddress, [])) return;
            _counters.DigestReceived();
            Act(digest.NodeAddress, _replica.OnDigest(digest));
        });
        Receive<NodeEndpointsSnapshot>(part =>
        {
            if (!Trusted(part.NodeAddress, part.Endpoints)) return;
            _counters.SnapshotPartReceived();
            Act(part.NodeAddress, _replica.OnSnapshot(part));
        });
        Receive<ClusterEvent.MemberUp>(e => Ask(e.Member.Address.ToString()));
        Receive<ClusterEvent.ReachableMember>(e => Ask(e.Member.Address.ToString()));
        Receive<ClusterEvent.UnreachableMember>(e => Forget(e.Member.Address.ToString()));
        Receive<ClusterEvent.MemberRemoved>(e => Forget(e.Member.Address.ToString()));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    public static Props Props(EndpointTable table, ReplicaProgress progress, EndpointDirectoryCounters? counters = null)
        => Akka.Actor.Props.Create(() => new EndpointReplicaActor(table, progress, counters ?? new EndpointDirectoryCounters()));

    protected override void PreStart()
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(NodeEndpointDirectoryActor.Topic, Self));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    /// <summary>This node's own endpoints are in the table already; another node's only from that node.</summary>
    private bool Trusted(string nodeAddress, IEnumerable<TunnelEndpoint> endpoints)
    {
        if (nodeAddress == _self) return false;
        var sender = Sender.Path.Address.ToString();
        if (sender != nodeAddress)
        {
            _log.Warning("endpoints of {0} announced by {1}: ignored (a node speaks only for itself)", nodeAddress, sender);
            return false;
        }
        foreach (var endpoint in endpoints)
        {
            if (endpoint.NodeAddress == nodeAddress) continue;
            _log.Warning("{0} announced endpoint {1} as held by {2}: ignored", nodeAddress, endpoint.EndpointId, endpoint.NodeAddress);
            return false;
        }
        return true;
    }

    private void Act(string nodeAddress, EndpointReplica.Next next)
    {
        if (next == EndpointReplica.Next.RequestSnapshot) RequestSnapshot(nodeAddress);
        _progress.Set(nodeAddress, _replica.SequenceOf(nodeAddress) is not null);
    }

    private void Ask(string nodeAddress)
    {
        if (nodeAddress == _self) return;
        RequestSnapshot(nodeAddress);
    }

    private void RequestSnapshot(string nodeAddress)
    {
        _log.Debug("asking {0} for its endpoints", nodeAddress);
        Context.ActorSelection($"{nodeAddress}/user/{NodeEndpointDirectoryActor.ActorName}")
            .Tell(new NodeEndpointsSnapshotRequest(_self));
        _counters.SnapshotRequestSent();
    }

    private void Forget(string nodeAddress)
    {
        if (nodeAddress == _self) return;
        _replica.Forget(nodeAddress);
        _progress.Remove(nodeAddress);
    }
}
