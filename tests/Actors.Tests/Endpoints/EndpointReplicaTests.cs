using Gateway.Actors.Endpoints;
using Gateway.Contracts.Messages;
using static Gateway.Actors.Tests.Endpoints.Endpoints;

namespace Gateway.Actors.Tests.Endpoints;

/// <summary>Node B's directory feeds node A's replica; the test decides which messages arrive.</summary>
public class EndpointReplicaTests
{
    private readonly LocalEndpoints _b = new(new EndpointTable());
    private readonly EndpointTable _table = new();
    private readonly EndpointReplica _replica;

    public EndpointReplicaTests() => _replica = new EndpointReplica(_table);

    private IReadOnlyList<NodeEndpointsDelta> Serve(params string[] sessions)
    {
        foreach (var session in sessions) _b.Serve(Of(session, node: NodeB));
        return _b.TakeDeltas(NodeB);
    }

    private IReadOnlyList<NodeEndpointsDelta> End(string session)
    {
        _b.WithdrawSession(session);
        return _b.TakeDeltas(NodeB);
    }

    private EndpointReplica.Next Deliver(IEnumerable<NodeEndpointsDelta> deltas)
        => deltas.Select(_replica.OnDelta).LastOrDefault();

    private EndpointReplica.Next DeliverSnapshot()
        => _b.Snapshot(NodeB).Select(_replica.OnSnapshot).Last();

    private IEnumerable<string> Sessions => _table.Get("demo").Select(e => e.SessionId).Order(StringComparer.Ordinal);

    [Fact]
    public void A_fresh_nodes_deltas_apply_in_order()
    {
        Assert.Equal(EndpointReplica.Next.Nothing, Deliver(Serve("s1", "s2")));
        Assert.Equal(EndpointReplica.Next.Nothing, Deliver(End("s1")));
        Assert.Equal(["s2"], Sessions);
        Assert.Equal(2, _replica.SequenceOf(NodeB));
    }

    [Fact]
    public void A_missed_delta_shows_as_a_gap_and_the_snapshot_repairs_it_with_the_deltas_held_meanwhile()
    {
        Deliver(Serve("s1"));
        _ = Serve("s2"); // lost
        Assert.Equal(EndpointReplica.Next.RequestSnapshot, Deliver(End("s1")));
        Assert.Null(_replica.SequenceOf(NodeB));
        var asOf = _b.Snapshot(NodeB);
        Assert.Equal(EndpointReplica.Next.Nothing, Deliver(Serve("s3"))); // asked already
        foreach (var part in asOf) _replica.OnSnapshot(part);
        Assert.Equal(["s2", "s3"], Sessions);
        Assert.Equal(4, _replica.SequenceOf(NodeB));
    }

    [Fact]
    public void A_digest_ahead_of_the_replica_repairs_a_lost_last_delta()
    {
        Deliver(Serve("s1"));
        _ = End("s1"); // lost, and nothing follows it
        Assert.Equal(EndpointReplica.Next.RequestSnapshot, _replica.OnDigest(_b.Digest(NodeB)));
        Assert.Equal(EndpointReplica.Next.Nothing, DeliverSnapshot());
        Assert.Empty(Sessions);
        Assert.Equal(EndpointReplica.Next.Nothing, _replica.OnDigest(_b.Digest(NodeB)));
    }

    [Fact]
    public void A_digest_that_matches_asks_for_nothing_and_a_count_that_differs_asks_for_a_snapshot()
    {
        Deliver(Serve("s1", "s2"));
        Assert.Equal(EndpointReplica.Next.Nothing, _replica.OnDigest(_b.Digest(NodeB)));
        _table.Apply([], [], ["s2"]); // the replica lost an endpoint some other way
        Assert.Equal(EndpointReplica.Next.RequestSnapshot, _replica.OnDigest(_b.Digest(NodeB)));
        DeliverSnapshot();
        Assert.Equal(["s1", "s2"], Sessions);
    }

    [Fact]
    public void A_snapshot_that_does_not_come_is_asked_for_again_after_one_more_digest()
    {
        _ = Serve("s1"); // lost
        Assert.Equal(EndpointReplica.Next.RequestSnapshot, _replica.OnDigest(_b.Digest(NodeB)));
        Assert.Equal(EndpointReplica.Next.Nothing, _replica.OnDigest(_b.Digest(NodeB)));
        Assert.Equal(EndpointReplica.Next.RequestSnapshot, _replica.OnDigest(_b.Digest(NodeB)));
    }

    [Fact]
    public void A_restarted_node_replaces_everything_known_of_its_previous_run()
    {
        Deliver(Serve("s1", "s2"));
        var restarted = new LocalEndpoints(new EndpointTable());
        restarted.Serve(Of("t1", node: NodeB));
        Assert.Equal(EndpointReplica.Next.Nothing, Deliver(restarted.TakeDeltas(NodeB)));
        Assert.Equal(["t1"], Sessions);
    }

    [Fact]
    public void A_node_that_left_is_forgotten_and_its_endpoints_dropped()
    {
        Deliver(Serve("s1"));
        _replica.Forget(NodeB);
        Assert.Empty(Sessions);
        Assert.Null(_replica.SequenceOf(NodeB));
        // Its next digest (reachable again) makes the replica ask for everything.
        Assert.Equal(EndpointReplica.Next.RequestSnapshot, _replica.OnDigest(_b.Digest(NodeB)));
        DeliverSnapshot();
        Assert.Equal(["s1"], Sessions);
    }

    [Fact]
    public void A_snapshot_missing_a_part_is_not_applied()
    {
        for (var i = 0; i < 450; i++) _b.Serve(Of($"s{i}", node: NodeB));
        _b.TakeDeltas(NodeB);
        _replica.OnDigest(_b.Digest(NodeB));
        var parts = _b.Snapshot(NodeB);
        _replica.OnSnapshot(parts[0]);
        _replica.OnSnapshot(parts[2]);
        Assert.Empty(Sessions);
        foreach (var part in parts) _replica.OnSnapshot(part);
        Assert.Equal(450, _table.CountOf("demo"));
    }
}
