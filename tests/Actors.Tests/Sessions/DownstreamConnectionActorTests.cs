using Gateway.Actors.Sessions;

namespace Gateway.Actors.Tests.Sessions;

public class DownstreamConnectionActorTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void Reports_open_then_close_with_bytes_and_stops()
    {
        var session = CreateTestProbe();
        var opened = new DownstreamOpened("7", "demo", "203.0.113.9:4000");
        var actor = Sys.ActorOf(DownstreamConnectionActor.Props(opened, session.Ref));
        Watch(actor);

        Assert.Equal(opened, session.ExpectMsg<DownstreamOpened>());
        actor.Tell(new DownstreamConnectionActor.Ended(120, 4096, "upstream reset"), TestActor);
        var closed = session.ExpectMsg<DownstreamClosed>();
        Assert.Equal(("7", "demo", 120L, 4096L, "upstream reset"), (closed.ConnectionId, closed.RouteId, closed.BytesToUpstream, closed.BytesToDownstream, closed.Error));
        Assert.True(closed.Duration >= TimeSpan.Zero);
        ExpectTerminated(actor);
    }

    [Fact]
    public void Stops_when_its_session_is_gone()
    {
        var session = CreateTestProbe();
        var actor = Sys.ActorOf(DownstreamConnectionActor.Props(new DownstreamOpened("1", "r", "x"), session.Ref));
        Watch(actor);
        session.ExpectMsg<DownstreamOpened>();
        Sys.Stop(session.Ref);
        ExpectTerminated(actor);
    }
}
