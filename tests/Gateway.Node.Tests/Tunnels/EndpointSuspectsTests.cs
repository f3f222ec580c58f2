using Gateway.Contracts.Tunnels;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Tests.Tunnels;

public class EndpointSuspectsTests
{
    private long _now = 1_000;

    private static TunnelEndpoint Endpoint(string id, string node) => new(id, "route", node, "s-" + id, "alice@example.com", "127.0.0.1:1", true, "*", 443, DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_key_is_suspected_for_its_window_and_marking_again_extends_it()
    {
        var list = new SuspectList(TimeSpan.FromSeconds(10), () => _now);
        Assert.True(list.Mark("n"));
        Assert.True(list.Contains("n"));
        _now += 6_000;
        Assert.False(list.Mark("n")); // already suspected: extended, not new
        _now += 6_000;
        Assert.True(list.Contains("n"));
        Assert.False(list.TryExpire("n"));
        _now += 4_001;
        Assert.False(list.Contains("n"));
        Assert.True(list.TryExpire("n"));
        Assert.True(list.IsEmpty);
    }

    [Fact]
    public void A_suspect_node_takes_all_its_endpoints_out_and_a_suspect_endpoint_only_itself()
    {
        var suspects = new EndpointSuspects(() => _now);
        var a1 = Endpoint("a1", "node-a");
        var a2 = Endpoint("a2", "node-a");
        var b1 = Endpoint("b1", "node-b");
        var b2 = Endpoint("b2", "node-b");
        suspects.SuspectNode("node-a");
        suspects.SuspectEndpoint("b1");
        Assert.Equal([b2], suspects.Filter([a1, a2, b1, b2]));
        Assert.True(suspects.IsSuspect(a2));
        Assert.False(suspects.IsSuspect(b2));
        _now += (long)EndpointSuspects.Window.TotalMilliseconds;
        Assert.Equal([a1, a2, b1, b2], suspects.Filter([a1, a2, b1, b2]));
    }

    [Fact]
    public void When_every_endpoint_of_a_route_is_suspect_all_are_kept()
    {
        var suspects = new EndpointSuspects(() => _now);
        var a1 = Endpoint("a1", "node-a");
        var b1 = Endpoint("b1", "node-b");
        suspects.SuspectEndpoint("a1");
        suspects.SuspectNode("node-b");
        Assert.Equal([a1, b1], suspects.Filter([a1, b1]));
    }

    [Fact]
    public void Node_suspicion_is_announced_once_per_window()
    {
        var suspects = new EndpointSuspects(() => _now);
        var announced = new List<string>();
        suspects.NodeSuspected += announced.Add;
        suspects.SuspectNode("node-a");
        suspects.SuspectNode("node-a");
        Assert.Equal(["node-a"], announced);
    }
}
