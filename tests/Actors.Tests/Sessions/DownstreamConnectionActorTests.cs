using Akka.Actor;
using Gateway.Actors.Endpoints;
using Gateway.Actors.Sessions;

namespace Gateway.Actors.Tests.Sessions;

/// <summary>
/// A downstream connection is a child of the session that carries it and owns its byte stream:
/// stopping it (or its session) closes both sides, and it reports the outcome to its session.
/// </summary>
public class DownstreamConnectionActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly TunnelRoute Demo = new("demo", new RouteAddress("demo.example.com", RouteScheme.Https), [new Uri("http://127.0.0.1:8080")]);

    private readonly InMemorySessionConnection _connection = new();
    private readonly RecordingStatusSink _status = new();

    private IActorRef StartSession() => Sys.ActorOf(SshSessionActor.Props(new SessionIdentity("s1", "alice@example.com", "127.0.0.1:50000"),
        [new RouteAdmission(Demo, true)], new LocalEndpoints(new EndpointTable()), "akka.tcp://gateway@127.0.0.1:1", _status, _connection));

    private static (InMemoryChannel Channel, DownstreamConnectionStream Stream) OpenStream()
    {
        var channel = new InMemoryChannel();
        return (channel, new DownstreamConnectionStream(channel.Gateway, guardSocks: true, cancelPendingRead: channel.Gateway.Input.CancelPendingRead));
    }

    private async Task<IActorRef> AdoptAsync(IActorRef session, DownstreamConnectionStream stream, string id = "7")
        => (await session.Ask<DownstreamStarted>(new OpenDownstream(new DownstreamOpened(id, "demo", "203.0.113.9:4000"), stream), Timeout)).Connection;

    [Fact]
    public async Task Is_a_child_of_its_session_and_reports_its_opening()
    {
        var session = StartSession();
        var (_, stream) = OpenStream();
        var connection = await AdoptAsync(session, stream);
        Assert.Equal(session.Path, connection.Path.Parent);
        AwaitCondition(() => _status.Lines.Contains("connection 7 from 203.0.113.9:4000 to demo.example.com opened"), Timeout);
    }

    [Fact]
    public async Task Stopping_it_closes_the_stream_on_both_sides()
    {
        var session = StartSession();
        var (channel, stream) = OpenStream();
        var connection = await AdoptAsync(session, stream);
        var pendingRead = stream.ReadAsync(new byte[16]).AsTask();
        Watch(connection);

        Sys.Stop(connection);
        ExpectTerminated(connection);
        var failure = await Assert.ThrowsAsync<IOException>(() => pendingRead.WaitAsync(Timeout));
        Assert.Equal(DownstreamConnectionActor.ClosedByGateway, failure.Message);
        await Assert.ThrowsAsync<IOException>(() => stream.WriteAsync(new byte[] { 1 }).AsTask());
        Assert.Equal(0, await channel.Upstream.ReadAsync(new byte[16]).AsTask().WaitAsync(Timeout)); // the upstream's end saw the close
        AwaitCondition(() => _status.Lines.Any(l => l.StartsWith("connection 7 ", StringComparison.Ordinal) && l.EndsWith($"({DownstreamConnectionActor.ClosedByGateway})", StringComparison.Ordinal)), Timeout);
        Assert.Null(_connection.ClosedWith); // the session and its SSH connection stay
    }

    [Fact]
    public async Task Stopping_the_session_stops_it_and_closes_its_stream()
    {
        var session = StartSession();
        var (channel, stream) = OpenStream();
        var connection = await AdoptAsync(session, stream);
        Watch(connection);
        Watch(session);

        Sys.Stop(session);
        ExpectTerminated(connection);
        ExpectTerminated(session);
        await stream.Ended.WaitAsync(Timeout);
        await Assert.ThrowsAsync<IOException>(() => stream.ReadAsync(new byte[16]).AsTask());
        Assert.Equal(0, await channel.Upstream.ReadAsync(new byte[16]).AsTask().WaitAsync(Timeout));
        Assert.Equal(SshSessionActor.SessionStopped, _connection.ClosedWith);
    }

    [Fact]
    public async Task Stops_when_its_stream_ends_and_reports_the_bytes_each_way()
    {
        var session = StartSession();
        var (channel, stream) = OpenStream();
        var connection = await AdoptAsync(session, stream, id: "9");
        Watch(connection);

        await stream.WriteAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray()); // 18 bytes to the upstream
        var request = new byte[18];
        await channel.Upstream.ReadExactlyAsync(request);
        await channel.Upstream.WriteAsync(new byte[1000]);
        var response = new byte[1000];
        await stream.ReadExactlyAsync(response);
        await stream.DisposeAsync();

        ExpectTerminated(connection);
        AwaitCondition(() => _status.Lines.Any(l => l.StartsWith("connection 9 from 203.0.113.9:4000 to demo.example.com closed after ", StringComparison.Ordinal)
            && l.EndsWith("s: 18 bytes sent, 1000 bytes received", StringComparison.Ordinal)), Timeout);
    }

    [Fact]
    public async Task Reports_the_outcome_to_its_parent()
    {
        var (channel, stream) = OpenStream();
        var connection = ChildActorOf(DownstreamConnectionActor.Props(new DownstreamOpened("3", "demo", "198.51.100.1:1234"), stream));
        ExpectMsg<DownstreamOpened>();
        await Assert.ThrowsAsync<IOException>(() => stream.WriteAsync(new byte[] { 0x05, 1, 0 }).AsTask()); // SOCKS refused on a static forward
        await stream.WriteAsync(new byte[] { 0x16, 3, 1 });
        await channel.Upstream.WriteAsync(new byte[5]);
        await stream.ReadExactlyAsync(new byte[5]);
        Watch(connection);
        await stream.DisposeAsync();

        var closed = ExpectMsg<DownstreamClosed>();
        Assert.Equal(("3", "demo", "198.51.100.1:1234", 3L, 5L), (closed.ConnectionId, closed.RouteId, closed.Downstream, closed.BytesToUpstream, closed.BytesToDownstream));
        Assert.Equal("a downstream tried to speak SOCKS through a static forward", closed.Error);
        Assert.True(closed.Duration >= TimeSpan.Zero);
        ExpectTerminated(connection);
    }
}
