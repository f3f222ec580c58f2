using Gateway.Actors.Endpoints;
using static Gateway.Actors.Tests.Endpoints.Endpoints;

namespace Gateway.Actors.Tests.Endpoints;

public class EndpointTableTests
{
    private readonly EndpointTable _table = new();
    private readonly List<string[]> _changes = [];

    public EndpointTableTests() => _table.Changed += routes => _changes.Add([.. routes.Order(StringComparer.Ordinal)]);

    [Fact]
    public void Adds_and_removes_by_endpoint_and_reports_the_routes_touched_once_per_write()
    {
        _table.Apply([Of("s1"), Of("s2"), Of("s1", "other")], [], []);
        Assert.Equal(2, _table.CountOf("demo"));
        Assert.Equal(["demo", "other"], Assert.Single(_changes));

        _table.Apply([], [Of("s1").EndpointId], []);
        Assert.Equal(["s2"], _table.Get("demo").Select(e => e.SessionId));
        Assert.NotNull(_table.Find("other", Of("s1", "other").EndpointId));
    }

    [Fact]
    public void Removing_a_session_removes_its_endpoints_on_every_route()
    {
        _table.Apply([.. Enumerable.Range(0, 50).Select(i => Of("s1", $"r{i}")), Of("s2")], [], []);
        _changes.Clear();

        _table.Apply([], [], ["s1"]);

        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(0, _table.CountOf($"r{i}")));
        Assert.Equal(1, _table.CountOf("demo"));
        Assert.Equal(50, Assert.Single(_changes).Length);
        Assert.DoesNotContain("r0", _table.RouteIds);
    }

    [Fact]
    public void A_snapshot_replaces_one_nodes_endpoints_and_leaves_the_others()
    {
        _table.Apply([Of("a1"), Of("b1", node: NodeB), Of("b2", node: NodeB)], [], []);

        _table.ReplaceNode(NodeB, [Of("b3", node: NodeB)]);

        Assert.Equal(["a1", "b3"], _table.Get("demo").Select(e => e.SessionId).Order(StringComparer.Ordinal));
        Assert.Equal(1, _table.CountOfNode(NodeB));
        Assert.Equal(1, _table.CountOfNode(NodeA));
    }

    [Fact]
    public void Pruning_a_node_drops_all_of_its_endpoints()
    {
        _table.Apply([Of("a1"), Of("b1", node: NodeB), Of("b1", "other", node: NodeB)], [], []);

        _table.PruneNode(NodeB);

        Assert.Equal(["a1"], _table.Get("demo").Select(e => e.SessionId));
        Assert.Equal(0, _table.CountOf("other"));
        Assert.Equal(0, _table.CountOfNode(NodeB));
    }

    [Fact]
    public void An_update_of_an_endpoint_replaces_it()
    {
        _table.Apply([Of("s1", port: 443)], [], []);
        _table.Apply([Of("s1", port: 8443)], [], []);
        Assert.Equal(8443u, Assert.Single(_table.Get("demo")).ConnectedPort);
        Assert.Equal(1, _table.CountOfNode(NodeA));
    }

    [Fact]
    public void Finds_another_endpoint_without_the_excluded_ones()
    {
        _table.Apply([Of("s1"), Of("s2")], [], []);
        Assert.Equal("s2", _table.FindOther("demo", e => e.SessionId == "s1")!.SessionId);
        Assert.Null(_table.FindOther("demo", _ => true));
        Assert.Null(_table.FindOther("missing", _ => false));
    }
}
