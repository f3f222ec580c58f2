using Gateway.Contracts.Messages;
using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Endpoints;

/// <summary>
/// Keeps this node's <see cref="EndpointTable"/> equal to what each other node has published: applies
/// each node's deltas in sequence, and when one is missing (a gap in the numbers, a digest that does
/// not match, a node that restarted) asks that node for a snapshot, keeping the deltas that arrive
/// meanwhile to apply after it. The actor (<see cref="EndpointReplicaActor"/>) drives it and sends
/// the snapshot requests it returns.
/// </summary>
public sealed class EndpointReplica
{
    /// <summary>Deltas held for one node while its snapshot is awaited; beyond, the oldest are dropped and another snapshot is asked for.</summary>
    public const int MaxHeldDeltas = 1000;

    private readonly EndpointTable _table;
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);

    public EndpointReplica(EndpointTable table) => _table = table;

    /// <summary>What the replica needs next for a node.</summary>
    public enum Next
    {
        Nothing,
        RequestSnapshot,
    }

    /// <summary>The last delta applied for a node, or null if the replica is not in step with it.</summary>
    public long? SequenceOf(string nodeAddress)
        => _nodes.TryGetValue(nodeAddress, out var node) && node.InStep ? node.Sequence : null;

    public Next OnDelta(NodeEndpointsDelta delta)
    {
        var node = StateOf(delta.NodeAddress);
        if (node.Incarnation != delta.Incarnation)
        {
            // A node that restarted: whatever was known of its previous run is gone.
            var fresh = delta.Sequence == 1;
            Reset(delta.NodeAddress, node, delta.Incarnation);
            if (fresh)
            {
                node.InStep = true;
                Apply(node, delta);
                return Next.Nothing;
            }
        }
        if (node.InStep)
        {
            if (delta.Sequence <= node.Sequence) return Next.Nothing;
            if (delta.Sequence == node.Sequence + 1)
            {
                Apply(node, delta);
                return Next.Nothing;
            }
            // A gap: a delta was lost. What is listed may be stale until the snapshot arrives, but
            // it is the best knowledge there is (dropping it would fail requests that would work).
            node.InStep = false;
        }
        Hold(node, delta);
        return AskOnce(node);
    }

    public Next OnDigest(NodeEndpointsDigest digest)
    {
        var node = StateOf(digest.NodeAddress);
        if (node.Incarnation != digest.Incarnation)
        {
            Reset(digest.NodeAddress, node, digest.Incarnation);
            return AskOnce(node);
        }
        if (node.InStep)
        {
            // Deltas and digests of one node arrive in the order it sent them, so a digest ahead of
            // the replica means a delta was lost, and one behind it an older digest overtaken by deltas.
            if (node.Sequence > digest.Sequence) return Next.Nothing;
            if (node.Sequence == digest.Sequence && _table.CountOfNode(digest.NodeAddress) == digest.Count) return Next.Nothing;
            node.InStep = false;
        }
        // Out of step: a snapshot asked for is given one digest interval to arrive, then asked again.
        if (node.Asked && ++node.DigestsWhileAsked < 2) return Next.Nothing;
        node.Asked = false;
        return AskOnce(node);
    }

    /// <summary>A part of a snapshot; the whole is applied when its last part arrives.</summary>
    public Next OnSnapshot(NodeEndpointsSnapshot part)
    {
        var node = StateOf(part.NodeAddress);
        if (node.Incarnation != part.Incarnation)
            Reset(part.NodeAddress, node, part.Incarnation);
        if (part.Part == 1)
            node.Assembly = new SnapshotAssembly(part.Sequence, part.Parts);
        if (node.Assembly is null || node.Assembly.Sequence != part.Sequence) return Next.Nothing;
        if (!node.Assembly.Add(part))
        {
            if (node.Assembly.Broken) node.Assembly = null;
            return Next.Nothing;
        }

        var snapshot = node.Assembly;
        node.Assembly = null;
        _table.ReplaceNode(part.NodeAddress, snapshot.Endpoints);
        node.Sequence = snapshot.Sequence;
        node.InStep = true;
        node.Asked = false;
        var held = node.Held.Where(d => d.Sequence > snapshot.Sequence).OrderBy(d => d.Sequence).ToList();
        node.Held.Clear();
        foreach (var delta in held)
        {
            if (delta.Sequence != node.Sequence + 1)
            {
                node.InStep = false;
                return AskOnce(node);
            }
            Apply(node, delta);
        }
        return Next.Nothing;
    }

    /// <summary>A node became unreachable or left: its endpoints are dropped at once.</summary>
    public void Forget(string nodeAddress)
    {
        _nodes.Remove(nodeAddress);
        _table.PruneNode(nodeAddress);
    }

    private NodeState StateOf(string nodeAddress)
    {
        if (!_nodes.TryGetValue(nodeAddress, out var node))
            _nodes[nodeAddress] = node = new NodeState();
        return node;
    }

    private void Reset(string nodeAddress, NodeState node, string incarnation)
    {
        if (node.Incarnation is not null) _table.PruneNode(nodeAddress);
        node.Incarnation = incarnation;
        node.Sequence = 0;
        node.InStep = false;
        node.Asked = false;
        node.Assembly = null;
        node.Held.Clear();
    }

    private void Apply(NodeState node, NodeEndpointsDelta delta)
    {
        _table.Apply(delta.Added, delta.RemovedEndpoints, delta.RemovedSessions);
        node.Sequence = delta.Sequence;
    }

    private static void Hold(NodeState node, NodeEndpointsDelta delta)
    {
        node.Held.Add(delta);
        // Beyond the bound the oldest go: the snapshot then ends before the first held delta, the
        // gap shows, and one more snapshot is asked for.
        if (node.Held.Count > MaxHeldDeltas) node.Held.RemoveAt(0);
    }

    private static Next AskOnce(NodeState node)
    {
        if (node.Asked) return Next.Nothing;
        node.Asked = true;
        node.DigestsWhileAsked = 0;
        return Next.RequestSnapshot;
    }

    private sealed class NodeState
    {
        public string? Incarnation;
        public long Sequence;
        public bool InStep;
        public bool Asked;
        public int DigestsWhileAsked;
        public SnapshotAssembly? Assembly;
        public readonly List<NodeEndpointsDelta> Held = [];
    }

    private sealed class SnapshotAssembly(long sequence, int parts)
    {
        private readonly List<TunnelEndpoint> _endpoints = [];
        private int _next = 1;

        public long Sequence { get; } = sequence;

        public IReadOnlyList<TunnelEndpoint> Endpoints => _endpoints;

        /// <summary>A part was missing or out of order: this snapshot cannot complete.</summary>
        public bool Broken { get; private set; }

        /// <summary>Adds the next part in order; true when the last one is in.</summary>
        public bool Add(NodeEndpointsSnapshot part)
        {
            if (part.Part != _next || part.Parts != parts) { Broken = true; return false; }
            _endpoints.AddRange(part.Endpoints);
            _next++;
            return _next > parts;
        }
    }
}
