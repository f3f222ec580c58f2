using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Gateway.Contracts.Messages;

namespace Gateway.Actors.Endpoints;

/// <summary>
/// One per node: publishes this node's <see cref="LocalEndpoints"/> to every node as numbered
/// deltas (gathered for <see cref="EndpointDirectorySettings.BatchDelay"/> after the first change),
/// a digest every <see cref="EndpointDirectorySettings.DigestInterval"/>, and a snapshot to any
/// replica that asks. It is the sender of all three, so replicas can check that a node speaks only
/// for itself.
/// </summary>
public sealed class NodeEndpointDirectoryActor : ReceiveActor, IWithTimers
{
    public const string ActorName = "endpoint-directory";
    public const string Topic = "node-endpoints";

    private sealed record ChangesPending;
    private sealed record Flush;
    private sealed record PublishDigest;

    private readonly LocalEndpoints _local;
    private readonly EndpointDirectorySettings _settings;
    private readonly EndpointDirectoryCounters _counters;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _mediator;
    private readonly string _nodeAddress;
    private Action? _onPending;

    public NodeEndpointDirectoryActor(LocalEndpoints local, EndpointDirectorySettings settings, EndpointDirectoryCounters counters)
    {
        _local = local;
        _settings = settings;
        _counters = counters;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        _nodeAddress = Cluster.Get(Context.System).SelfAddress.ToString();

        Receive<ChangesPending>(_ =>
        {
            if (!Timers.IsTimerActive("flush")) Timers.StartSingleTimer("flush", new Flush(), _settings.BatchDelay);
        });
        Receive<Flush>(_ => PublishDeltas());
        Receive<PublishDigest>(_ =>
        {
            // Deltas first, so the digest never names a sequence the replicas cannot have seen yet.
            PublishDeltas();
            _mediator.Tell(new Publish(Topic, _local.Digest(_nodeAddress)));
            _counters.DigestPublished();
        });
        Receive<NodeEndpointsSnapshotRequest>(request =>
        {
            var parts = _local.Snapshot(_nodeAddress);
            _log.Debug("snapshot of {0} endpoints in {1} parts for {2}", parts.Sum(p => p.Endpoints.Length), parts.Count, request.NodeAddress);
            foreach (var part in parts)
            {
                Sender.Tell(part);
                _counters.SnapshotPartSent();
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(LocalEndpoints local, EndpointDirectorySettings settings, EndpointDirectoryCounters? counters = null)
        => Akka.Actor.Props.Create(() => new NodeEndpointDirectoryActor(local, settings, counters ?? new EndpointDirectoryCounters()));

    protected override void PreStart()
    {
        var self = Self;
        _onPending = () => self.Tell(new ChangesPending());
        _local.ChangesPending += _onPending;
        Timers.StartPeriodicTimer("digest", new PublishDigest(), _settings.DigestInterval);
        // Changes made before this actor started (none in a node, some in tests) go out now.
        Self.Tell(new Flush());
    }

    protected override void PostStop()
    {
        if (_onPending is not null) _local.ChangesPending -= _onPending;
        // Whatever is still queued is lost with the node; the replicas prune it when it leaves.
    }

    private void PublishDeltas()
    {
        foreach (var delta in _local.TakeDeltas(_nodeAddress))
        {
            _mediator.Tell(new Publish(Topic, delta));
            _counters.DeltaPublished();
        }
    }
}
