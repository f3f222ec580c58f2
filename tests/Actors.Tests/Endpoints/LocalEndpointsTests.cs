using Gateway.Actors.Endpoints;
using Gateway.Contracts.Messages;
using static Gateway.Actors.Tests.Endpoints.Endpoints;

namespace Gateway.Actors.Tests.Endpoints;

public class LocalEndpointsTests
{
    private readonly EndpointTable _table = new();
    private readonly LocalEndpoints _local;

    public LocalEndpointsTests() => _local = new LocalEndpoints(_table);

    [Fact]
    public void A_change_is_in_the_nodes_table_before_the_call_returns()
    {
        _local.Serve(Of("s1"));
        Assert.Single(_table.Get("demo"));
        _local.WithdrawSession("s1");
        Assert.Empty(_table.Get("demo"));
    }

    [Fact]
    public void Deltas_are_numbered_from_one_and_nothing_is_sent_at_rest()
    {
        _local.Serve(Of("s1"));
        var first = Assert.Single(_local.TakeDeltas(NodeA));
        Assert.Equal((1L, NodeA, _local.Incarnation), (first.Sequence, first.NodeAddress, first.Incarnation));
        Assert.Equal("s1/demo", Assert.Single(first.Added).EndpointId);

        Assert.Empty(_local.TakeDeltas(NodeA));

        _local.Withdraw("s1/demo");
        var second = Assert.Single(_local.TakeDeltas(NodeA));
        Assert.Equal(2, second.Sequence);
        Assert.Equal(["s1/demo"], second.RemovedEndpoints.ToArray());
    }

    [Fact]
    public void A_connection_serving_a_thousand_routes_is_removed_by_one_entry()
    {
        for (var i = 0; i < 1000; i++) _local.Serve(Of("s1", $"r{i}"));
        var added = _local.TakeDeltas(NodeA);
        Assert.Equal((1000 + NodeEndpointsDelta.MaxEndpointsPerMessage - 1) / NodeEndpointsDelta.MaxEndpointsPerMessage, added.Count);
        Assert.Equal(Enumerable.Range(1, added.Count).Select(i => (long)i), added.Select(d => d.Sequence));

        _local.WithdrawSession("s1");

        var removal = Assert.Single(_local.TakeDeltas(NodeA));
        Assert.Equal(["s1"], removal.RemovedSessions.ToArray());
        Assert.Empty(removal.RemovedEndpoints.ToArray());
        Assert.Equal(0, _local.Count);
    }

    [Fact]
    public void Changes_that_cancel_out_before_a_delta_send_nothing()
    {
        _local.Serve(Of("s1"));
        _local.WithdrawSession("s1");
        Assert.Empty(_local.TakeDeltas(NodeA));
    }

    [Fact]
    public void The_snapshot_and_digest_are_as_of_the_last_delta()
    {
        _local.Serve(Of("s1"));
        _local.TakeDeltas(NodeA);
        _local.Serve(Of("s2"));
        _local.WithdrawSession("s1");

        var part = Assert.Single(_local.Snapshot(NodeA));
        Assert.Equal(("s1", 1L, 1, 1), (Assert.Single(part.Endpoints).SessionId, part.Sequence, part.Part, part.Parts));
        Assert.Equal((1L, 1), (_local.Digest(NodeA).Sequence, _local.Digest(NodeA).Count));
        Assert.Equal(1, _local.PublishedCount);

        var next = _local.TakeDeltas(NodeA);
        Assert.Equal([2L, 3L], next.Select(d => d.Sequence));
        Assert.Equal(["s1"], next[0].RemovedSessions.ToArray());
        Assert.Equal("s2", Assert.Single(next[1].Added).SessionId);
        Assert.Equal("s2", Assert.Single(Assert.Single(_local.Snapshot(NodeA)).Endpoints).SessionId);
    }

    [Fact]
    public void A_large_snapshot_comes_in_parts_that_fit_a_frame()
    {
        for (var i = 0; i < 450; i++) _local.Serve(Of($"s{i}"));
        _local.TakeDeltas(NodeA);
        var parts = _local.Snapshot(NodeA);
        Assert.Equal([1, 2, 3], parts.Select(p => p.Part));
        Assert.All(parts, p => Assert.Equal(3, p.Parts));
        Assert.All(parts, p => Assert.True(p.Endpoints.Length <= NodeEndpointsDelta.MaxEndpointsPerMessage));
        Assert.Equal(450, parts.Sum(p => p.Endpoints.Length));
    }

    [Fact]
    public void The_first_change_after_a_delta_signals_once()
    {
        var signals = 0;
        _local.ChangesPending += () => signals++;
        _local.Serve(Of("s1"));
        _local.Serve(Of("s2"));
        Assert.Equal(1, signals);
        _local.TakeDeltas(NodeA);
        _local.WithdrawSession("s1");
        Assert.Equal(2, signals);
    }
}
