using Akka.Actor;
using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Sessions;

/// <summary>
/// The SSH connection an <see cref="SshSessionActor"/> owns, as the actor sees it: when it ended,
/// how to list it (and the endpoints it serves) where requests find it, and how to end it. The node implements it over the real
/// connection and its tunnel registry; tests implement it in memory.
/// </summary>
public interface ISessionConnection
{
    /// <summary>Completes (normally or not) when the connection has ended, for any reason.</summary>
    Task Completion { get; }

    /// <summary>
    /// Makes the connection reachable for requests (they open channels on it and hand the streams to
    /// <paramref name="session"/>). Called when the actor starts.
    /// </summary>
    void Attach(IActorRef session);

    /// <summary>
    /// The endpoints this connection serves now (its forwards matched to the routes its identity is
    /// admitted to), the node's own record of them: requests and relay tickets open a channel only
    /// for an endpoint listed here, and exactly as listed here, whatever another node's replica says.
    /// Called after every change; must not block.
    /// </summary>
    void Serve(IReadOnlyCollection<TunnelEndpoint> endpoints);

    /// <summary>
    /// Makes the connection unreachable for requests, then ends it (a no-op if it already ended).
    /// Called when the actor stops; must not block.
    /// </summary>
    void Close(string reason);
}
