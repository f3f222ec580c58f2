using System.Collections.Concurrent;
using Akka.Actor;
using Gateway.Node.SshSessions;
using Gateway.Ssh.Connection;

namespace Gateway.Node.Tunnels;

/// <summary>An SSH connection on this node that can open forwarded-tcpip channels.</summary>
public sealed record LocalTunnel(string SessionId, GatewayIdentity Identity, SshConnection Connection, IActorRef SessionActor, SessionStatusFeed Status);

/// <summary>The SSH connections this node holds, by session id; the request path opens channels through it.</summary>
public sealed class LocalTunnelRegistry
{
    private readonly ConcurrentDictionary<string, LocalTunnel> _tunnels = new(StringComparer.Ordinal);

    public int Count => _tunnels.Count;

    public void Add(LocalTunnel tunnel) => _tunnels[tunnel.SessionId] = tunnel;

    public void Remove(string sessionId) => _tunnels.TryRemove(sessionId, out _);

    public LocalTunnel? Find(string sessionId) => _tunnels.GetValueOrDefault(sessionId);

    public IReadOnlyCollection<LocalTunnel> All => [.. _tunnels.Values];
}
