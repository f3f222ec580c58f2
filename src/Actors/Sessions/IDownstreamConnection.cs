using Akka.Actor;

namespace Gateway.Actors.Sessions;

/// <summary>
/// What a <see cref="DownstreamConnectionActor"/> owns: one downstream connection's bytes through
/// a tunnel channel. Either a stream the HTTP proxy reads and writes on this node
/// (<see cref="DownstreamConnectionStream"/>), or a byte graph the actor materializes between a
/// relay socket and the channel (<see cref="RelayedDownstream"/>).
/// </summary>
public interface IDownstreamConnection
{
    /// <summary>Bytes from the downstream written into the tunnel.</summary>
    long BytesToUpstream { get; }

    /// <summary>Bytes from the tunnel delivered to the downstream.</summary>
    long BytesToDownstream { get; }

    /// <summary>The first failure, or why the gateway closed it; null for a clean end.</summary>
    string? Error { get; }

    /// <summary>Completes once the connection has ended and its counts are final.</summary>
    Task Ended { get; }

    /// <summary>Called once by the owning actor as it starts: a graph is materialized under it here, so it stops with it.</summary>
    void Start(IActorContext owner);

    /// <summary>Ends the connection from the gateway's side, both ways, recording <paramref name="reason"/>. A no-op once ended.</summary>
    void Close(string reason);
}
