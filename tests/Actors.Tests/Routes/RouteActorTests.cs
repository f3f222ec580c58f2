using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Gateway.Actors.Sessions;
using Gateway.Actors.Routes;
using Gateway.Actors.Sessions;
using Gateway.Contracts.Messages;

namespace Gateway.Actors.Tests.Routes;

/// <summary>
/// A real one-node cluster with sharded route actors: sessions register, the node's endpoint
/// table follows, and endpoints go away when a forward is cancelled or a session stops.
/// </summary>
public class RouteActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config ClusterConfig = ConfigurationFactory.ParseString("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.sharding.state-store-mode = ddata
        akka.cluster.sharding.distributed-data.durable.keys = []
        akka.cluster.sharding.passivate-idle-entity-after = off
        akka.loglevel = WARNING
        """);

    private readonly EndpointTable _table = new();
    private readonly IActorRef _region;
    private readonly RecordingSink _sink = new();
    private readonly RouteActorSettings _settings = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(300));

    public RouteActorTests() : base(ClusterConfig)
    {
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.State.Members.Any(m => m.Status == MemberStatus.Up), TimeSpan.FromSeconds(15));
        Sys.ActorOf(EndpointTableActor.Props(_table), "endpoint-table");
        _region = ClusterSharding.Get(Sys).Start("route", id => RouteActor.Props(id, _settings),
            ClusterShardingSettings.Create(Sys), new RouteMessageExtractor());
    }

    private static readonly TunnelRoute Demo = new("demo", new RouteAddress("https-demo.example.com", RouteScheme.Https), [new Uri("http://127.0.0.1:8080")]);
    private static readonly TunnelRoute Other = new("other", new RouteAddress("other.example.com", RouteScheme.Https), [new Uri("http://127.0.0.1:8081")]);

    private IActorRef StartSession(string id, params RouteAdmission[] routes)
        => Sys.ActorOf(SshSessionActor.Props(new SessionIdentity(id, "alice@example.com", "127.0.0.1:50000"), routes, _region,
            Cluster.Get(Sys).SelfAddress.ToString(), _sink, _settings, new Sessions.InMemorySessionConnection()));

    [Fact]
    public void Dynamic_forward_registers_every_admitted_matching_route_and_cancel_removes_it()
    {
        var session = StartSession("s1", new RouteAdmission(Demo, true), new RouteAdmission(Other, false, "email not allowed"));
        var result = session.Ask<ForwardRequestResult>(new ForwardRequested("localhost", 0), TimeSpan.FromSeconds(5)).Result;
        Assert.True(result.Success);

        AwaitCondition(() => _table.Get("demo").Length == 1, TimeSpan.FromSeconds(10));
        var endpoint = _table.Get("demo")[0];
        Assert.Equal("localhost", endpoint.ConnectedAddress);
        Assert.Equal(result.ReplyPort, endpoint.ConnectedPort);
        Assert.True(endpoint.IsDynamic);
        Assert.Empty(_table.Get("other"));
        Assert.Contains(_sink.Lines, l => l.Contains("serving https-demo.example.com"));
        Assert.Contains(_sink.Lines, l => l.Contains("other.example.com") && l.Contains("does not admit"));

        Assert.True(session.Ask<bool>(new ForwardCancelRequested("localhost", result.ReplyPort!.Value), TimeSpan.FromSeconds(5)).Result);
        AwaitCondition(() => _table.Get("demo").Length == 0, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Two_sessions_on_one_route_are_both_endpoints_and_a_stopped_session_disappears()
    {
        var a = StartSession("a", new RouteAdmission(Demo, true));
        var b = StartSession("b", new RouteAdmission(Demo, true));
        a.Ask<ForwardRequestResult>(new ForwardRequested("https-*", 0), TimeSpan.FromSeconds(5)).Wait();
        b.Ask<ForwardRequestResult>(new ForwardRequested("https-demo.example.com", 443), TimeSpan.FromSeconds(5)).Wait();
        AwaitCondition(() => _table.Get("demo").Length == 2, TimeSpan.FromSeconds(10));
        Assert.Contains(_table.Get("demo"), e => e.SessionId == "b" && !e.IsDynamic && e.ConnectedPort == 443);

        Sys.Stop(a);
        AwaitCondition(() => _table.Get("demo").Length == 1 && _table.Get("demo")[0].SessionId == "b", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Registrations_that_are_not_refreshed_expire()
    {
        var probe = CreateTestProbe();
        var endpoint = new Gateway.Contracts.Tunnels.TunnelEndpoint("ghost/demo", "demo", Cluster.Get(Sys).SelfAddress.ToString(), "ghost", "x", "127.0.0.1:1", true, "localhost", 40000, DateTimeOffset.UtcNow);
        _region.Tell(new RegisterEndpoint("demo", endpoint, probe.Ref));
        AwaitCondition(() => _table.Get("demo").Length == 1, TimeSpan.FromSeconds(10));
        AwaitCondition(() => _table.Get("demo").Length == 0, TimeSpan.FromSeconds(10));
    }

    private sealed class RecordingSink : ISessionStatusSink
    {
        private readonly List<string> _lines = [];
        public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }
        public void Post(string line) { lock (_lines) _lines.Add(line); }
    }
}
