using Akka.Actor;

namespace Gateway.Actors.Sessions;

/// <summary>
/// One per downstream connection carried by a tunnel (a forwarded-tcpip channel carrying one
/// downstream's HTTP connection, possibly many requests): a child of the <see cref="SshSessionActor"/>
/// whose SSH connection carries it. Owns the connection (<see cref="IDownstreamConnection"/>):
/// a relayed connection's byte graph is materialized under this actor, so it runs exactly as long
/// as the actor does. The actor stops when the connection ends, and stopping it (or its session,
/// or the node) closes the connection on both sides. Tells its session when the connection opened
/// and, once the connection's counts are final, the outcome: bytes each way, duration, error.
/// </summary>
public sealed class DownstreamConnectionActor : ReceiveActor
{
    /// <summary>Why the connection is closed when the actor stops before its user ended it.</summary>
    public const string ClosedByGateway = "closed by the gateway";

    private sealed record ConnectionEnded
    {
        public static readonly ConnectionEnded Instance = new();
    }

    private readonly DownstreamOpened _opened;
    private readonly IDownstreamConnection _connection;
    private readonly DataPathCounters? _counters;
    private readonly DateTime _started = DateTime.UtcNow;

    public DownstreamConnectionActor(DownstreamOpened opened, IDownstreamConnection connection, DataPathCounters? counters = null)
    {
        _opened = opened;
        _connection = connection;
        _counters = counters;
        Receive<ConnectionEnded>(_ => Context.Stop(Self));
    }

    public static Props Props(DownstreamOpened opened, IDownstreamConnection connection, DataPathCounters? counters = null)
        => Akka.Actor.Props.Create(() => new DownstreamConnectionActor(opened, connection, counters));

    protected override void PreStart()
    {
        _counters?.DownstreamActorStarted();
        Context.Parent.Tell(_opened);
        _connection.Start(Context);
        var self = Self;
        _connection.Ended.ContinueWith(_ => self.Tell(ConnectionEnded.Instance), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    protected override void PostStop()
    {
        _counters?.DownstreamActorStopped();
        _connection.Close(ClosedByGateway);
        var parent = Context.Parent;
        var self = Self;
        var opened = _opened;
        var connection = _connection;
        var duration = DateTime.UtcNow - _started;
        // A stream closes at once; a relayed graph first lets its writes in flight settle, so the report carries final counts.
        connection.Ended.ContinueWith(_ => parent.Tell(new DownstreamClosed(opened.ConnectionId, opened.RouteId, opened.Downstream,
            connection.BytesToUpstream, connection.BytesToDownstream, duration, connection.Error), self),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
