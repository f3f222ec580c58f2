using Akka.Actor;
using Akka.TestKit;
using Gateway.Actors.Routes;
using Gateway.Actors.Sessions;
using Gateway.Contracts.Messages;

namespace Gateway.Actors.Tests.Sessions;

/// <summary>
/// The session actor owns its SSH connection: listed while it lives, closed when it stops, and
/// the connection's end stops it and takes its endpoints away.
/// </summary>
public class SshSessionActorLifetimeTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TunnelRoute Demo = new("demo", new RouteAddress("demo.example.com", RouteScheme.Https), [new Uri("http://127.0.0.1:8080")]);
    private static readonly RouteActorSettings Settings = new(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(1));

    private readonly InMemorySessionConnection _connection = new();
    private readonly RecordingStatusSink _status = new();
    private readonly TestProbe _routes;

    public SshSessionActorLifetimeTests() => _routes = CreateTestProbe();

    private IActorRef StartServing()
    {
        var session = Sys.ActorOf(SshSessionActor.Props(new SessionIdentity("s1", "alice@example.com", "127.0.0.1:50000"),
            [new RouteAdmission(Demo, true)], _routes.Ref, "akka.tcp://gateway@127.0.0.1:1", _status, Settings, _connection));
        session.Tell(new ForwardRequested("demo.example.com", 443), TestActor);
        Assert.True(ExpectMsg<ForwardRequestResult>().Success);
        var registered = _routes.ExpectMsg<RegisterEndpoint>();
        Assert.Equal(("demo", "s1"), (registered.RouteId, registered.Endpoint.SessionId));
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
    public void Registers_as_itself_and_hands_the_connection_the_endpoints_it_serves_until_the_forward_is_cancelled()
    {
        var session = StartServing();
        Assert.Equal(session, _routes.LastSender);
        var served = Assert.Single(_connection.Served);
        Assert.Equal(("s1/demo", "demo.example.com", 443u, false), (served.EndpointId, served.ConnectedAddress, served.ConnectedPort, served.IsDynamic));

        // Draining withdraws the registration; requests already routed here still find the endpoint.
        session.Tell(StopServing.Instance);
        _routes.ExpectMsg<UnregisterEndpoint>();
        Assert.Equal(session, _routes.LastSender);
        Assert.Single(_connection.Served);

        session.Tell(new ForwardCancelRequested("demo.example.com", 443), TestActor);
        Assert.True(ExpectMsg<bool>());
        Assert.Empty(_connection.Served);
    }

    [Fact]
    public void Stopping_the_actor_closes_the_connection_and_unregisters_its_endpoints()
    {
        var session = StartServing();
        Watch(session);
        Sys.Stop(session);
        ExpectTerminated(session);
        Assert.Equal("s1/demo", _routes.ExpectMsg<UnregisterEndpoint>().EndpointId);
        Assert.Equal(SshSessionActor.SessionStopped, _connection.ClosedWith);
        Assert.Null(_connection.AttachedTo);
    }

    [Fact]
    public void The_connections_end_stops_the_actor_and_unregisters_its_endpoints()
    {
        var session = StartServing();
        Watch(session);
        _connection.End();
        ExpectTerminated(session);
        Assert.Equal("s1/demo", _routes.ExpectMsg<UnregisterEndpoint>().EndpointId);
        Assert.Null(_connection.AttachedTo);
    }

    [Fact]
    public void Stop_serving_unregisters_but_keeps_the_connection_and_registers_nothing_again()
    {
        var session = StartServing();
        session.Tell(StopServing.Instance);
        Assert.Equal("s1/demo", _routes.ExpectMsg<UnregisterEndpoint>().EndpointId);

        session.Tell(new ForwardRequested("localhost", 0), TestActor);
        Assert.True(ExpectMsg<ForwardRequestResult>().Success);
        _routes.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(session, _connection.AttachedTo);
        Assert.Null(_connection.ClosedWith);
    }
}
