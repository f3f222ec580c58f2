
namespace Gateway.Actors.Sessions;

/// <summary>A route that takes tunnel endpoints, as a session sees it.</summary>
public sealed record TunnelRoute(string RouteId, RouteAddress Address, IReadOnlyList<Uri> To, Health.RouteHealthChecks? HealthChecks = null);

/// <summary>A tunnel route and whether this connection's identity is admitted by its ssh_policy.</summary>
public sealed record RouteAdmission(TunnelRoute Route, bool Admitted, string? Reason = null);

/// <summary>Who is on the other end of one SSH connection.</summary>
public sealed record SessionIdentity(string SessionId, string Owner, string ClientAddress);

/// <summary><c>tcpip-forward</c> from the client; answered with <see cref="ForwardRequestResult"/>.</summary>
public sealed record ForwardRequested(string BindAddress, uint Port);

/// <summary><c>cancel-tcpip-forward</c> from the client; answered with a bool.</summary>
public sealed record ForwardCancelRequested(string BindAddress, uint Port);

/// <summary>Asks for the session's current forwards and the routes each serves (status views, tests).</summary>
public sealed record GetSessionStatus;

public sealed record SessionStatus(IReadOnlyList<ForwardStatus> Forwards);

public sealed record ForwardStatus(ForwardPermission Permission, IReadOnlyList<string> Routes);

/// <summary>
/// A channel opened on this session's SSH connection for one downstream connection: the session
/// makes a <see cref="DownstreamConnectionActor"/> child own it and answers <see cref="DownstreamStarted"/>.
/// </summary>
public sealed record OpenDownstream(DownstreamOpened Connection, IDownstreamConnection Stream);

public sealed record DownstreamStarted(Akka.Actor.IActorRef Connection);

/// <summary>
/// The node drains: unregister every endpoint and register none again, while the SSH connection and
/// the downstream connections it carries stay up until they end or the node stops.
/// </summary>
public sealed record StopServing
{
    public static readonly StopServing Instance = new();
}

/// <summary>
/// Ends the session and its SSH connection with <paramref name="Reason"/> as the DISCONNECT
/// description (e.g. <c>sign-in ended: signed out</c>): its endpoints are withdrawn and its
/// downstream connections stopped first, as for any stop.
/// </summary>
public sealed record EndSession(string Reason);

/// <summary>
/// A forward looks set up for the other mode (<see cref="MismatchDiagnostic"/>), seen on one of its
/// channels: the session shows it on its status stream, once per forward and interval
/// (<see cref="WarningCollapse"/>), not once per request.
/// </summary>
/// <param name="Forward">the forward as the client requested it (pattern and port), the collapse key</param>
public sealed record ForwardWarning(string Forward, MismatchDiagnostic Diagnostic);

/// <summary>A downstream connection through this session opened or closed (status and metrics).</summary>
/// <param name="Channel">the SSH channel number on the tunnel connection</param>
/// <param name="Path">the path of the request the connection was opened for (HTTP)</param>
/// <param name="Via">the node that relayed the downstream connection here</param>
public sealed record DownstreamOpened(string ConnectionId, string RouteId, string Downstream, uint? Channel = null, string? Path = null, string? Via = null)
{
    /// <summary>What <see cref="Downstream"/> says for a health probe's channel (Pomerium's "Health Check" peer).</summary>
    public const string HealthCheck = "health check";

    public bool IsHealthCheck => Downstream == HealthCheck;
}

public sealed record DownstreamClosed(string ConnectionId, string RouteId, string Downstream, long BytesToUpstream, long BytesToDownstream, TimeSpan Duration, string? Error);

/// <summary>Something the person at the SSH client should see (the status stream, the status TUI). No member may block: called from the session actor.</summary>
public interface ISessionStatusSink
{
    void Post(string line);

    /// <summary>A connection opened or closed: a line for the status stream and the log; the TUI shows its connection table instead.</summary>
    void PostConnectionLine(string line) => Post(line);

    /// <summary>Rows for views that draw the session's state.</summary>
    void Publish(SessionUpdate update) { }

    /// <summary>Whether any view draws the state now: periodic updates are built only then.</summary>
    bool HasViewers => false;
}
