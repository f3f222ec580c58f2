using Akka.Actor;

namespace Gateway.Actors.Sessions;

/// <summary>
/// One per downstream connection carried by a tunnel (a forwarded-tcpip channel carrying one
/// downstream's HTTP connection, possibly many requests): a child of the <see cref="SshSessionActor"/>
/// whose SSH connection carries it. Owns the connection's <see cref="DownstreamConnectionStream"/>:
/// it stops when the stream ends, and stopping it (or its session) closes the stream on both sides.
/// Tells its session when the connection opened and, as it stops, the outcome: bytes each way,
/// duration, error.
/// </summary>
public sealed class DownstreamConnectionActor : ReceiveActor
{
    /// <summary>Why the stream is closed when the actor stops before its user ended it.</summary>
    public const string ClosedByGateway = "closed by the gateway";

    private sealed record StreamEnded
    {
        public static readonly StreamEnded Instance = new();
    }

    private readonly DownstreamOpened _opened;
    private readonly DownstreamConnectionStream _stream;
    private readonly DataPathCounters? _counters;
    private readonly DateTime _started = DateTime.UtcNow;

    public DownstreamConnectionActor(DownstreamOpened opened, DownstreamConnectionStream stream, DataPathCounters? counters = null)
    {
        _opened = opened;
        _stream = stream;
        _counters = counters;
        Receive<StreamEnded>(_ => Context.Stop(Self));
    }

    public static Props Props(DownstreamOpened opened, DownstreamConnectionStream stream, DataPathCounters? counters = null)
        => Akka.Actor.Props.Create(() => new DownstreamConnectionActor(opened, stream, counters));

    protected override void PreStart()
    {
        _counters?.DownstreamActorStarted();
        Context.Parent.Tell(_opened);
        var self = Self;
        _stream.Ended.ContinueWith(_ => self.Tell(StreamEnded.Instance), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    protected override void PostStop()
    {
        _counters?.DownstreamActorStopped();
        _stream.Close(ClosedByGateway);
        Context.Parent.Tell(new DownstreamClosed(_opened.ConnectionId, _opened.RouteId, _opened.Downstream,
            _stream.BytesToUpstream, _stream.BytesToDownstream, DateTime.UtcNow - _started, _stream.Error));
    }
}
