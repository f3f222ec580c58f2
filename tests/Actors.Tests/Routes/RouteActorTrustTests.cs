using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Gateway.Actors.Routes;
using Gateway.Contracts.Messages;
using Gateway.Contracts.Serialization;
using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Tests.Routes;

/// <summary>
/// A real one-node cluster with sharded route actors, and a second actor system on another
/// address that reaches the route region over Akka.Remote: a registration counts only when it
/// comes from the node it names, and one node cannot take over or withdraw another's endpoint.
/// </summary>
public sealed class RouteActorTrustTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly Config ClusterConfig = ConfigurationFactory.ParseString("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.sharding.state-store-mode = ddata
        akka.cluster.sharding.distributed-data.durable.keys = []
        akka.cluster.sharding.passivate-idle-entity-after = off
        akka.loglevel = WARNING
        """).WithFallback(ConfigurationFactory.ParseString(GatewaySerialization.Hocon));

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly EndpointTable _table = new();
    private readonly IActorRef _region;
    private readonly string _self;
    private ActorSystem _other = null!;
    private string _otherAddress = null!;
    private IActorRef _otherSession = null!;

    public RouteActorTrustTests() : base(ClusterConfig)
    {
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.State.Members.Any(m => m.Status == MemberStatus.Up), TimeSpan.FromSeconds(15));
        Sys.ActorOf(EndpointTableActor.Props(_table), "endpoint-table");
        var settings = new RouteActorSettings(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(300));
        _region = ClusterSharding.Get(Sys).Start("route", id => RouteActor.Props(id, settings), ClusterShardingSettings.Create(Sys), new RouteMessageExtractor());
        _self = cluster.SelfAddress.ToString();
    }

    public Task InitializeAsync()
    {
        _other = ActorSystem.Create("other", ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp.hostname = 127.0.0.1
            akka.remote.dot-netty.tcp.port = 0
            akka.loglevel = WARNING
            """).WithFallback(ConfigurationFactory.ParseString(GatewaySerialization.Hocon)));
        _otherAddress = ((ExtendedActorSystem)_other).Provider.DefaultAddress.ToString();
        _otherSession = _other.ActorOf(Props.Create(() => new SessionStandIn()), "session");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _other.Terminate();

    private static TunnelEndpoint Endpoint(string session, string node, uint port = 40000)
        => new(TunnelEndpoint.MakeId(session, "demo"), "demo", node, session, "alice@example.com", "127.0.0.1:50000", true, "localhost", port, DateTimeOffset.UtcNow);

    /// <summary>Sends as the other node's session actor would, to this node's route region.</summary>
    private void FromOtherNode(object message)
        => _other.ActorSelection($"{_self}/system/sharding/route").Tell(message, _otherSession);

    /// <summary>
    /// Registers an endpoint from the other node as it should, and waits until it is listed: the
    /// messages it sent before over the same connection have been handled by then.
    /// </summary>
    private void SyncWithOtherNode(string session)
    {
        FromOtherNode(new RegisterEndpoint("demo", Endpoint(session, _otherAddress), _otherSession));
        AwaitCondition(() => _table.Get("demo").Any(e => e.SessionId == session), Wait);
    }

    [Fact]
    public void A_registration_from_another_node_for_a_session_it_says_is_here_is_refused()
    {
        FromOtherNode(new RegisterEndpoint("demo", Endpoint("forged", _self), _otherSession));
        SyncWithOtherNode("theirs");

        Assert.DoesNotContain(_table.Get("demo"), e => e.SessionId == "forged");
        var theirs = Assert.Single(_table.Get("demo"));
        Assert.Equal(_otherAddress, theirs.NodeAddress);
    }

    [Fact]
    public void A_registration_naming_another_node_whose_session_ref_is_elsewhere_is_refused()
    {
        // Sent from the other node and naming it, but handing over a session actor of this node.
        var local = CreateTestProbe();
        FromOtherNode(new RegisterEndpoint("demo", Endpoint("borrowed", _otherAddress), local.Ref));
        SyncWithOtherNode("theirs");

        Assert.DoesNotContain(_table.Get("demo"), e => e.SessionId == "borrowed");
    }

    [Fact]
    public void A_registration_without_a_sender_is_refused_and_one_from_this_node_is_accepted()
    {
        var session = CreateTestProbe();
        _region.Tell(new RegisterEndpoint("demo", Endpoint("anonymous", _self), session.Ref), ActorRefs.NoSender);
        _region.Tell(new RegisterEndpoint("demo", Endpoint("mine", _self), session.Ref), session.Ref);

        AwaitCondition(() => _table.Get("demo").Any(e => e.SessionId == "mine"), Wait);
        Assert.DoesNotContain(_table.Get("demo"), e => e.SessionId == "anonymous");
    }

    [Fact]
    public void Another_node_can_neither_take_over_nor_withdraw_an_endpoint_registered_here()
    {
        var session = CreateTestProbe();
        var mine = Endpoint("mine", _self, 40001);
        _region.Tell(new RegisterEndpoint("demo", mine, session.Ref), session.Ref);
        AwaitCondition(() => _table.Get("demo").Any(e => e.SessionId == "mine"), Wait);

        FromOtherNode(new RegisterEndpoint("demo", Endpoint("mine", _otherAddress, 40002), _otherSession));
        FromOtherNode(new UnregisterEndpoint("demo", mine.EndpointId));
        SyncWithOtherNode("theirs");

        var listed = Assert.Single(_table.Get("demo"), e => e.EndpointId == mine.EndpointId);
        Assert.Equal(_self, listed.NodeAddress);
        Assert.Equal(40001u, listed.ConnectedPort);

        // Its own node still withdraws it.
        _region.Tell(new UnregisterEndpoint("demo", mine.EndpointId), session.Ref);
        AwaitCondition(() => _table.Get("demo").All(e => e.EndpointId != mine.EndpointId), Wait);
    }

    /// <summary>Stands in for a session actor on the other node; the route actor only watches it.</summary>
    private sealed class SessionStandIn : ReceiveActor
    {
        public SessionStandIn() => ReceiveAny(_ => { });
    }
}
