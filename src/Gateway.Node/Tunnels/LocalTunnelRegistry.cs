using System.Collections.Concurrent;
using Akka.Actor;
using Gateway.Node.SshSessions;
using Gateway.Ssh.Connection;

namespace Gateway.Node.Tunnels;

/// <summary>An SSH connection on this node that can open forwarded-tcpip channels.</summary>
public sealed record LocalTunnel(string SessionId, GatewayIdentity Identity, SshConnection Connection, IActorRef SessionActor, SessionStatusFeed Status);

/// <summary>
/// The SSH connections this node holds, by session id; the request path and the relay open
/// channels through it. What a channel carries (forward address and port, dynamic or static,
/// route) comes from this node's own record of its endpoints (<see cref="Gateway.Actors.Endpoints.LocalEndpoints"/>).
/// </summary>
public sealed class LocalTunnelRegistry
{
    private readonly ConcurrentDictionary<string, LocalTunnel> _tunnels = new(StringComparer.Ordinal);

    public int Count => _tunnels.Count;

    public void Add(LocalTunnel tunnel) => _tunnels[tunnel.SessionId] = tunnel;

    public void Remove(string sessionId) => _tunnels.TryRemove(sessionId, out _);

    public LocalTunnel? Find(string sessionId) => _tunnels.GetValueOrDefault(sessionId);

    public IReadOnlyCollection<LocalTunnel> All => [.. _tunnels.Values];
}
