using Akka.Actor;

namespace Gateway.Actors.Sessions;

/// <summary>
/// One per upstream connection opened through a tunnel (a forwarded-tcpip channel carrying one
/// downstream's HTTP connection, possibly many requests). Knows what the connection is for,
/// collects its byte counts and outcome, tells the owning session (status stream, and later the
/// TUI and metrics) when it opens and when it ends, then stops.
/// </summary>
public sealed class DownstreamConnectionActor : ReceiveActor
{
    /// <summary>The connection ended; sent once by whoever owns the byte stream.</summary>
    public sealed record Ended(long BytesToUpstream, long BytesToDownstream, string? Error);

    private readonly DownstreamOpened _opened;
    private readonly IActorRef _session;
    private readonly DateTime _started = DateTime.UtcNow;

    public DownstreamConnectionActor(DownstreamOpened opened, IActorRef session)
    {
        _opened = opened;
        _session = session;
        Receive<Ended>(OnEnded);
        Receive<Terminated>(_ => Context.Stop(Self));
    }

    public static Props Props(DownstreamOpened opened, IActorRef session) => Akka.Actor.Props.Create(() => new DownstreamConnectionActor(opened, session));

    protected override void PreStart()
    {
        Context.Watch(_session);
        _session.Tell(_opened);
    }

    private void OnEnded(Ended ended)
    {
        _session.Tell(new DownstreamClosed(_opened.ConnectionId, _opened.RouteId, _opened.Downstream,
            ended.BytesToUpstream, ended.BytesToDownstream, DateTime.UtcNow - _started, ended.Error));
        Context.Stop(Self);
    }
}
