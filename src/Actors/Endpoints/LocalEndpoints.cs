using System.Collections.Immutable;
using Gateway.Contracts.Messages;
using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Endpoints;

/// <summary>
/// The authority for the endpoints of the SSH connections this node holds. Session actors call it
/// directly: each change is in this node's <see cref="EndpointTable"/> before the call returns (so
/// a session that withdraws and then closes its connection is never chosen for a request in
/// between), and is queued for the next <see cref="NodeEndpointsDelta"/> that
/// <see cref="NodeEndpointDirectoryActor"/> publishes to the other nodes.
/// </summary>
/// <remarks>
/// Nothing here is refreshed at rest: an endpoint lives as long as its SSH connection and this
/// node, so the other nodes keep it until a delta removes it or this node becomes unreachable.
/// </remarks>
public sealed class LocalEndpoints
{
    private readonly object _gate = new();
    private readonly EndpointTable _table;

    // What is served now, and what the other nodes were told as of the last delta taken.
    private readonly EndpointSet _current = new();
    private readonly EndpointSet _published = new();

    // Changed since the last delta: endpoint ids to compare, and connections that ended.
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _endedSessions = new(StringComparer.Ordinal);
    private long _sequence;

    public LocalEndpoints(EndpointTable table) => _table = table;

    /// <summary>This run of the node: a replica that sees a new one drops what it knew of the node.</summary>
    public string Incarnation { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Raised (outside the lock) when a change is queued and none was pending.</summary>
    public event Action? ChangesPending;

    public int Count
    {
        get { lock (_gate) return _current.Count; }
    }

    /// <summary>How many endpoints the other nodes were last told of (0 once a drain's withdrawals went out).</summary>
    public int PublishedCount
    {
        get { lock (_gate) return _published.Count; }
    }

    /// <summary>This node's own record of an endpoint: the relay and the dialer trust only this.</summary>
    public TunnelEndpoint? Find(string endpointId)
    {
        lock (_gate) return _current.Find(endpointId);
    }

    /// <summary>Adds or updates an endpoint of a connection held here.</summary>
    public void Serve(TunnelEndpoint endpoint)
    {
        bool first;
        lock (_gate)
        {
            first = NothingPending;
            _current.Put(endpoint);
            _dirty.Add(endpoint.EndpointId);
            _table.Apply([endpoint], [], []);
        }
        if (first) ChangesPending?.Invoke();
    }

    /// <summary>The connection stopped serving one route (forward cancelled, or no longer admitted).</summary>
    public void Withdraw(string endpointId)
    {
        bool first;
        lock (_gate)
        {
            if (_current.Remove(endpointId) is null) return;
            first = NothingPending;
            _dirty.Add(endpointId);
            _table.Apply([], [endpointId], []);
        }
        if (first) ChangesPending?.Invoke();
    }

    /// <summary>Every endpoint of a connection that ended or stopped serving: one entry in the next delta.</summary>
    public void WithdrawSession(string sessionId)
    {
        bool first;
        lock (_gate)
        {
            if (_current.RemoveSession(sessionId).Count == 0) return;
            first = NothingPending;
            _endedSessions.Add(sessionId);
            _table.Apply([], [], [sessionId]);
        }
        if (first) ChangesPending?.Invoke();
    }

    /// <summary>
    /// The queued changes as numbered deltas (removals first), none when nothing changed. Each holds
    /// at most <see cref="NodeEndpointsDelta.MaxEndpointsPerMessage"/> entries.
    /// </summary>
    public IReadOnlyList<NodeEndpointsDelta> TakeDeltas(string nodeAddress)
    {
        lock (_gate)
        {
            var removedSessions = new List<string>();
            foreach (var session in _endedSessions)
            {
                if (_published.RemoveSession(session).Count > 0) removedSessions.Add(session);
            }
            var removed = new List<string>();
            var added = new List<TunnelEndpoint>();
            foreach (var id in _dirty)
            {
                var now = _current.Find(id);
                var told = _published.Find(id);
                if (now is null && told is not null) { _published.Remove(id); removed.Add(id); }
                else if (now is not null && now != told) { _published.Put(now); added.Add(now); }
            }
            _endedSessions.Clear();
            _dirty.Clear();

            var deltas = new List<NodeEndpointsDelta>();
            const int max = NodeEndpointsDelta.MaxEndpointsPerMessage;
            foreach (var chunk in removedSessions.Chunk(max))
                deltas.Add(new NodeEndpointsDelta(nodeAddress, Incarnation, ++_sequence, [], [], [.. chunk]));
            foreach (var chunk in removed.Chunk(max))
                deltas.Add(new NodeEndpointsDelta(nodeAddress, Incarnation, ++_sequence, [], [.. chunk], []));
            foreach (var chunk in added.Chunk(max))
                deltas.Add(new NodeEndpointsDelta(nodeAddress, Incarnation, ++_sequence, [.. chunk], [], []));
            return deltas;
        }
    }

    /// <summary>The last delta's number and how many endpoints the other nodes were told of by then.</summary>
    public NodeEndpointsDigest Digest(string nodeAddress)
    {
        lock (_gate) return new NodeEndpointsDigest(nodeAddress, Incarnation, _sequence, _published.Count);
    }

    /// <summary>
    /// What the other nodes were told, as of the last delta, in parts that fit a frame. Changes not
    /// sent yet are left out: the next delta carries them.
    /// </summary>
    public IReadOnlyList<NodeEndpointsSnapshot> Snapshot(string nodeAddress)
    {
        lock (_gate)
        {
            var parts = _published.All.Chunk(NodeEndpointsDelta.MaxEndpointsPerMessage).ToList();
            if (parts.Count == 0) parts.Add([]);
            return [.. parts.Select((chunk, i) => new NodeEndpointsSnapshot(nodeAddress, Incarnation, _sequence, i + 1, parts.Count, [.. chunk]))];
        }
    }

    private bool NothingPending => _dirty.Count == 0 && _endedSessions.Count == 0;
}
