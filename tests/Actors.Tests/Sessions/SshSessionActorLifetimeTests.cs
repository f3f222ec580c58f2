using Akka.Actor;
using Gateway.Actors.Endpoints;
using Gateway.Actors.Sessions;

namespace Gateway.Actors.Tests.Sessions;

/// <summary>
/// The session actor owns its SSH connection: listed while it lives, closed when it stops, and
/// the connection's end stops it and takes its endpoints away, out of the node's table before the
/// connection closes.
/// </summary>
public class SshSessionActorLifetimeTests : Akka.TestKit.Xunit2.TestKit
{
    private const string Node = "akka.tcp://gateway@127.0.0.1:1";
    private static readonly TunnelRoute Demo = new("demo", new RouteAddress("demo.example.com", RouteScheme.Https), [new Uri("http://127.0.0.1:8080")]);

    private readonly InMemorySessionConnection _connection = new();
    private readonly RecordingStatusSink _status = new();
    private readonly EndpointTable _table = new();
    private readonly LocalEndpoints _local;

    public SshSessionActorLifetimeTests() => _local = new LocalEndpoints(_table);

    private IActorRef StartServing()
    {
        var session = Sys.ActorOf(SshSessionActor.Props(new SessionIdentity("s1", "alice@example.com", "127.0.0.1:50000"),
            [new RouteAdmission(Demo, true)], _local, Node, _status, _connection));
        session.Tell(new ForwardRequested("demo.example.com", 443), TestActor);
        Assert.True(ExpectMsg<ForwardRequestResult>().Success);
        var served = Assert.Single(_table.Get("demo"));
        Assert.Equal(("s1/demo", Node), (served.EndpointId, served.NodeAddress));
        return session;
    }

    [Fact]
    public void Lists_its_connection_while_it_lives()
    {
        var session = StartServing();
        Assert.Equal(session, _connection.AttachedTo);
        Assert.Null(_connection.ClosedWith);
    }

    [Fact]
    public void Stopping_the_actor_withdraws_its_endpoints_before_closing_the_connection()
    {
        var session = StartServing();
        var listedAtClose = -1;
        _connection.OnClosing = () => listedAtClose = _table.CountOf("demo");
        Watch(session);
        Sys.Stop(session);
        ExpectTerminated(session);
        Assert.Equal(0, listedAtClose);
        Assert.Equal(SshSessionActor.SessionStopped, _connection.ClosedWith);
        Assert.Null(_connection.AttachedTo);
        Assert.Equal(0, _local.Count);
    }

    [Fact]
    public void End_session_withdraws_its_endpoints_then_closes_the_connection_with_the_reason()
    {
        var session = StartServing();
        var listedAtClose = -1;
        _connection.OnClosing = () => listedAtClose = _table.CountOf("demo");
        Watch(session);
        session.Tell(new EndSession("sign-in ended: signed out"));
        ExpectTerminated(session);
        Assert.Equal(0, listedAtClose);
        Assert.Equal("sign-in ended: signed out", _connection.ClosedWith);
        Assert.Contains("gateway: sign-in ended: signed out; closing this connection", _status.Lines);
        Assert.Equal(0, _local.Count);
    }

    [Fact]
    public void The_connections_end_stops_the_actor_and_withdraws_all_its_endpoints_in_one_delta()
    {
        var session = StartServing();
        _local.TakeDeltas(Node);
        Watch(session);
        _connection.End();
        ExpectTerminated(session);
        Assert.Empty(_table.Get("demo"));
        var delta = Assert.Single(_local.TakeDeltas(Node));
        Assert.Equal(["s1"], delta.RemovedSessions.ToArray());
        Assert.Empty(delta.RemovedEndpoints.ToArray());
        Assert.Null(_connection.AttachedTo);
    }

    [Fact]
    public void Stop_serving_withdraws_but_keeps_the_connection_and_serves_nothing_again()
    {
        var session = StartServing();
        session.Tell(StopServing.Instance);
        AwaitCondition(() => _table.CountOf("demo") == 0, TimeSpan.FromSeconds(3));

        session.Tell(new ForwardRequested("localhost", 0), TestActor);
        Assert.True(ExpectMsg<ForwardRequestResult>().Success);
        Assert.Equal(0, _local.Count);
        Assert.Equal(session, _connection.AttachedTo);
        Assert.Null(_connection.ClosedWith);
    }

    [Fact]
    public void Cancelling_the_forward_withdraws_that_endpoint_only()
    {
        var session = StartServing();
        session.Tell(new ForwardCancelRequested("demo.example.com", 443), TestActor);
        Assert.True(ExpectMsg<bool>());
        Assert.Empty(_table.Get("demo"));
        Assert.Equal(session, _connection.AttachedTo);
    }
}
