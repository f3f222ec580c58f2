using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.TestKit;
using Gateway.Actors.Endpoints;
using Gateway.Actors.Sessions;
using Gateway.Actors.Tests.Sessions;
using Gateway.Contracts.Messages;
using Gateway.Contracts.Serialization;
using Gateway.Contracts.Tunnels;
using Xunit.Abstractions;

namespace Gateway.Actors.Tests.Endpoints;

/// <summary>
/// Two actor systems in one cluster over real Akka.Remote on loopback, each with the endpoint
/// directory and replica a node runs: "a" holds the SSH sessions, "b" follows.
/// </summary>
public sealed class EndpointDirectoryClusterTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly TunnelRoute Demo = new("demo", new RouteAddress("demo.example.com", RouteScheme.Https), [new Uri("http://127.0.0.1:8080")]);
    private static readonly EndpointDirectorySettings Settings = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1));

    private readonly ITestOutputHelper _output;
    private readonly EndpointTable _aTable = new();
    private readonly EndpointTable _bTable = new();
    private readonly LocalEndpoints _aLocal;
    private readonly LocalEndpoints _bLocal;
    private readonly EndpointDirectoryCounters _aCounters = new();
    private readonly EndpointDirectoryCounters _bCounters = new();
    private ActorSystem _b = null!;
    private IActorRef _aDirectory = null!, _aReplica = null!, _bDirectory = null!, _bReplica = null!;

    public EndpointDirectoryClusterTests(ITestOutputHelper output) : base(SystemConfig(), "gateway", output)
    {
        _output = output;
        _aLocal = new LocalEndpoints(_aTable);
        _bLocal = new LocalEndpoints(_bTable);
    }

    private static Akka.Configuration.Config SystemConfig() => ConfigurationFactory.ParseString("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.failure-detector.heartbeat-interval = 1s
        akka.loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        """).WithFallback(ConfigurationFactory.ParseString(GatewaySerialization.Hocon))
        .WithFallback(DistributedPubSub.DefaultConfig());

    private string A => Cluster.Get(Sys).SelfAddress.ToString();
    private string B => Cluster.Get(_b).SelfAddress.ToString();

    public async Task InitializeAsync()
    {
        _b = ActorSystem.Create("gateway", SystemConfig());
        var a = Cluster.Get(Sys);
        await a.JoinAsync(a.SelfAddress);
        await Cluster.Get(_b).JoinAsync(a.SelfAddress);
        AwaitCondition(() => a.State.Members.Count(m => m.Status == MemberStatus.Up) == 2, Timeout);
        _aDirectory = Sys.ActorOf(NodeEndpointDirectoryActor.Props(_aLocal, Settings, _aCounters), NodeEndpointDirectoryActor.ActorName);
        _aReplica = Sys.ActorOf(EndpointReplicaActor.Props(_aTable, new ReplicaProgress(), _aCounters), EndpointReplicaActor.ActorName);
        _bDirectory = _b.ActorOf(NodeEndpointDirectoryActor.Props(_bLocal, Settings, _bCounters), NodeEndpointDirectoryActor.ActorName);
        _bReplica = _b.ActorOf(EndpointReplicaActor.Props(_bTable, new ReplicaProgress(), _bCounters), EndpointReplicaActor.ActorName);
    }

    public async Task DisposeAsync() => await _b.Terminate();

    private IActorRef StartSession(int n, InMemorySessionConnection connection)
    {
        var session = Sys.ActorOf(SshSessionActor.Props(new SessionIdentity($"s{n}", "alice@example.com", "127.0.0.1:50000"),
            [new RouteAdmission(Demo, true)], _aLocal, A, new RecordingStatusSink(), connection), $"s{n}");
        session.Tell(new ForwardRequested("demo.example.com", 443), TestActor);
        return session;
    }

    [Fact]
    public void A_thousand_sessions_ending_at_once_leave_the_other_node_empty_and_nothing_restarts()
    {
        var connections = Enumerable.Range(0, 1000).Select(_ => new InMemorySessionConnection()).ToList();
        var sessions = connections.Select((c, i) => StartSession(i, c)).ToList();
        ReceiveN(1000, Timeout);
        AwaitCondition(() => _bTable.CountOf("demo") == 1000, Timeout);
        foreach (var actor in new[] { _aDirectory, _aReplica }) Watch(actor);
        var bWatcher = CreateTestProbe(_b);
        foreach (var actor in new[] { _bDirectory, _bReplica }) bWatcher.Watch(actor);

        var emptyAfter = TimeSpan.Zero;
        EventFilter.Exception<Exception>().Expect(0, TimeSpan.FromSeconds(2), () =>
        {
            var started = DateTime.UtcNow;
            foreach (var connection in connections) connection.End();
            AwaitCondition(() => _aTable.CountOf("demo") == 0 && _bTable.CountOf("demo") == 0, Timeout, TimeSpan.FromMilliseconds(10));
            emptyAfter = DateTime.UtcNow - started;
        });
        _output.WriteLine($"1000 session ends: the other node's replica empty after {emptyAfter.TotalMilliseconds:0} ms");

        // Nothing died or restarted: a restarted directory would have a new incarnation, a restarted
        // replica an empty table; both keep working after the storm.
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        bWatcher.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        var connection = new InMemorySessionConnection();
        StartSession(5000, connection);
        ExpectMsg<ForwardRequestResult>();
        AwaitCondition(() => _bTable.CountOf("demo") == 1, Timeout);
        Assert.Equal(1, _aLocal.PublishedCount);
    }

    [Fact]
    public void A_node_cannot_announce_endpoints_for_another_node()
    {
        var mediator = DistributedPubSub.Get(_b).Mediator;
        var forged = new TunnelEndpoint("x/demo", "demo", A, "x", "mallory@example.com", "127.0.0.1:1", false, "demo.example.com", 443, DateTimeOffset.UtcNow);
        var probe = CreateTestProbe(_b);

        // b claims to be a, then b announces an endpoint it says a holds.
        mediator.Tell(new Publish(NodeEndpointDirectoryActor.Topic, new NodeEndpointsDelta(A, "fake", 1, [forged], [], [])), probe.Ref);
        mediator.Tell(new Publish(NodeEndpointDirectoryActor.Topic, new NodeEndpointsDelta(B, "fake", 1, [forged], [], [])), probe.Ref);
        // A real endpoint of b afterwards shows the two forged ones were not merely slow.
        _bLocal.Serve(new TunnelEndpoint("b1/demo", "demo", B, "b1", "bob@example.com", "127.0.0.1:2", false, "demo.example.com", 443, DateTimeOffset.UtcNow));

        AwaitCondition(() => _aTable.CountOf("demo") == 1, Timeout);
        ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        Assert.Equal("b1", Assert.Single(_aTable.Get("demo")).SessionId);
    }

    [Fact]
    public void A_replica_that_missed_a_delta_repairs_from_the_next_digest()
    {
        _bLocal.Serve(new TunnelEndpoint("b1/demo", "demo", B, "b1", "bob@example.com", "127.0.0.1:2", false, "demo.example.com", 443, DateTimeOffset.UtcNow));
        AwaitCondition(() => _aTable.CountOf("demo") == 1, Timeout);

        // The withdrawal's delta never reaches a: taken from b's queue before its directory sends it.
        _bLocal.WithdrawSession("b1");
        var lost = _bLocal.TakeDeltas(B);
        Assert.Equal(["b1"], Assert.Single(lost).RemovedSessions.ToArray());

        AwaitCondition(() => _aTable.CountOf("demo") == 0, Timeout);
    }

    [Fact]
    public void The_counters_follow_what_each_node_sent_and_what_it_accepted_from_the_other()
    {
        // Each replica asks the other node for a snapshot when it sees it Up; the answer is one part.
        AwaitCondition(() => _aCounters.SnapshotRequestsSent >= 1 && _bCounters.SnapshotPartsSent >= 1 && _aCounters.SnapshotPartsReceived >= 1, Timeout);
        AwaitCondition(() => _bCounters.SnapshotRequestsSent >= 1 && _aCounters.SnapshotPartsSent >= 1 && _bCounters.SnapshotPartsReceived >= 1, Timeout);

        var deltasBefore = _aCounters.DeltasReceived;
        var partsBefore = _aCounters.SnapshotPartsReceived;
        _bLocal.Serve(new TunnelEndpoint("b1/demo", "demo", B, "b1", "bob@example.com", "127.0.0.1:2", false, "demo.example.com", 443, DateTimeOffset.UtcNow));
        AwaitCondition(() => _aTable.CountOf("demo") == 1, Timeout);
        // b published a delta; a counted what brought the endpoint: that delta, or, when a digest
        // showed a behind first (a loaded machine), the snapshot part that repaired it.
        AwaitCondition(() => _bCounters.DeltasPublished >= 1, Timeout);
        Assert.True(_aCounters.DeltasReceived > deltasBefore || _aCounters.SnapshotPartsReceived > partsBefore,
            $"deltas received {deltasBefore} -> {_aCounters.DeltasReceived}, snapshot parts {partsBefore} -> {_aCounters.SnapshotPartsReceived}");

        // Digests every second (Settings): b's reach a; a's own digests are not counted as received by a.
        var digestsBefore = _aCounters.DigestsReceived;
        AwaitCondition(() => _aCounters.DigestsReceived >= digestsBefore + 2 && _bCounters.DigestsPublished >= 2, Timeout);
        Assert.True(_aCounters.DigestsReceived <= _bCounters.DigestsPublished);
        Assert.Equal(0, _aCounters.DeltasPublished);
    }
}
