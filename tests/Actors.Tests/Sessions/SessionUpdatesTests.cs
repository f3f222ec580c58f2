using Akka.Actor;
using Gateway.Actors.Endpoints;
using Gateway.Actors.Sessions;
using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Tests.Sessions;

/// <summary>
/// What the session publishes for the status TUI: the forwards and the routes the identity may
/// serve after every change, a connection as it opens, progresses (byte counts once a second while
/// a view watches) and closes; connection lines go to the stream, not to the TUI's log.
/// </summary>
public class SessionUpdatesTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly TunnelRoute Demo = new("demo", new RouteAddress("demo.example.com", RouteScheme.Https), [new Uri("http://127.0.0.1:8080")]);
    private static readonly TunnelRoute Other = new("other", new RouteAddress("other.example.com", RouteScheme.Https), [new Uri("http://127.0.0.1:8081")]);

    private readonly InMemorySessionConnection _connection = new();
    private readonly ViewSink _status = new();

    private sealed class ViewSink : ISessionStatusSink
    {
        private readonly List<SessionUpdate> _updates = [];
        private readonly List<string> _lines = [];
        private readonly List<string> _connectionLines = [];
        public IReadOnlyList<SessionUpdate> Updates { get { lock (_updates) return [.. _updates]; } }
        public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }
        public IReadOnlyList<string> ConnectionLines { get { lock (_connectionLines) return [.. _connectionLines]; } }
        public void Post(string line) { lock (_lines) _lines.Add(line); }
        public void PostConnectionLine(string line) { lock (_connectionLines) _connectionLines.Add(line); }
        public void Publish(SessionUpdate update) { lock (_updates) _updates.Add(update); }
        public bool HasViewers => true;
    }

    private IActorRef StartSession() => Sys.ActorOf(SshSessionActor.Props(new SessionIdentity("s1", "alice@example.com", "127.0.0.1:50000"),
        [new RouteAdmission(Demo, true), new RouteAdmission(Other, false, "not admitted")], new LocalEndpoints(new EndpointTable()), "akka.tcp://gateway@127.0.0.1:1", _status, _connection));

    private ForwardsUpdated LastForwards() => _status.Updates.OfType<ForwardsUpdated>().Last();

    private IEnumerable<ConnectionSnapshot> Rows(string id) => _status.Updates.OfType<ConnectionsUpdated>().SelectMany(u => u.Connections).Where(r => r.ConnectionId == id);

    [Fact]
    public void Forwards_and_the_admitted_routes_are_published_at_start_and_after_a_request()
    {
        var session = StartSession();
        AwaitCondition(() => _status.Updates.OfType<ForwardsUpdated>().Any(), Timeout);
        var route = Assert.Single(LastForwards().Routes); // the route that does not admit alice is no row
        Assert.Equal(("https://demo.example.com:443", false), (route.Remote, route.Served));

        session.Tell(new ForwardRequested("localhost", 0), TestActor);
        var result = ExpectMsg<ForwardRequestResult>();
        AwaitCondition(() => LastForwards().Requests.Count == 1, Timeout);
        var request = Assert.Single(LastForwards().Requests);
        Assert.Equal(new ForwardRequestSnapshot("localhost", $"D {result.ReplyPort}", true, 1), request);
        Assert.Equal((true, EndpointHealth.Unknown, false), (LastForwards().Routes[0].Served, LastForwards().Routes[0].Health, LastForwards().Routes[0].HasHealthChecks));
    }

    [Fact]
    public async Task A_connection_is_published_open_with_growing_counts_then_closed()
    {
        var session = StartSession();
        var channel = new InMemoryChannel();
        var stream = new DownstreamConnectionStream(channel.Gateway, guardSocks: false, cancelPendingRead: channel.Gateway.Input.CancelPendingRead);
        await session.Ask<DownstreamStarted>(new OpenDownstream(new DownstreamOpened("9", "demo", "203.0.113.9:4000", 3, "/index.html", "127.0.0.1:2552"), stream), Timeout);
        AwaitCondition(() => Rows("9").Any(), Timeout);
        var opened = Rows("9").First();
        Assert.Equal((3u, "demo.example.com", "/index.html", "127.0.0.1:2552", (DateTime?)null), (opened.Channel, opened.Host, opened.Path, opened.Via, opened.ClosedAt));

        await stream.WriteAsync("hello"u8.ToArray());
        AwaitCondition(() => Rows("9").Any(r => r.ClosedAt is null && r.BytesToUpstream == 5), Timeout); // the once-a-second progress

        await stream.DisposeAsync();
        AwaitCondition(() => Rows("9").Any(r => r.ClosedAt is not null), Timeout);
        Assert.Equal(5, Rows("9").Last().BytesToUpstream);
        Assert.Contains("connection 9 from 203.0.113.9:4000 (via 127.0.0.1:2552) to demo.example.com opened", _status.ConnectionLines);
        Assert.DoesNotContain(_status.Lines, l => l.StartsWith("connection 9 ", StringComparison.Ordinal));
    }
}
