using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Gateway.Contracts.Tunnels;
using Gateway.Node.SshSessions;
using Gateway.Ssh.Connection;

namespace Gateway.Node.Tunnels;

/// <summary>An SSH connection on this node that can open forwarded-tcpip channels.</summary>
public sealed record LocalTunnel(string SessionId, GatewayIdentity Identity, SshConnection Connection, IActorRef SessionActor, SessionStatusFeed Status);

/// <summary>One endpoint this node serves, as its own session actor describes it, and the connection behind it.</summary>
public sealed record LocalEndpoint(LocalTunnel Tunnel, TunnelEndpoint Endpoint);

/// <summary>
/// The SSH connections this node holds, by session id, and the endpoints each serves, by endpoint
/// id: the node's own record, which the request path and the relay open channels from. Another
/// node's replica (or a relay request) only names an endpoint; what the channel carries (forward
/// address and port, dynamic or static, route) comes from here.
/// </summary>
public sealed class LocalTunnelRegistry
{
    private readonly ConcurrentDictionary<string, LocalTunnel> _tunnels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LocalEndpoint> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ImmutableArray<string>> _servedBy = new(StringComparer.Ordinal);

    public int Count => _tunnels.Count;

    public void Add(LocalTunnel tunnel) => _tunnels[tunnel.SessionId] = tunnel;

    /// <summary>Removes the connection and every endpoint it served.</summary>
    public void Remove(string sessionId)
    {
        lock (_servedBy)
        {
            _tunnels.TryRemove(sessionId, out _);
            if (_servedBy.TryRemove(sessionId, out var ids))
                foreach (var id in ids) _endpoints.TryRemove(id, out _);
        }
    }

    /// <summary>Replaces the endpoints <paramref name="tunnel"/> serves; ignored once the connection is removed.</summary>
    public void Serve(LocalTunnel tunnel, IReadOnlyCollection<TunnelEndpoint> endpoints)
    {
        lock (_servedBy)
        {
            if (Find(tunnel.SessionId) != tunnel) return;
            if (_servedBy.TryGetValue(tunnel.SessionId, out var previous))
                foreach (var id in previous) _endpoints.TryRemove(id, out _);
            // An endpoint's id is its session id and route id: a session can only list its own.
            var own = endpoints.Where(e => e.SessionId == tunnel.SessionId).ToList();
            foreach (var endpoint in own) _endpoints[endpoint.EndpointId] = new LocalEndpoint(tunnel, endpoint);
            _servedBy[tunnel.SessionId] = [.. own.Select(e => e.EndpointId)];
        }
    }

    public LocalTunnel? Find(string sessionId) => _tunnels.GetValueOrDefault(sessionId);

    /// <summary>The endpoint as this node serves it, or null when no connection here serves it.</summary>
    public LocalEndpoint? FindEndpoint(string endpointId) => _endpoints.GetValueOrDefault(endpointId);

    public IReadOnlyCollection<LocalTunnel> All => [.. _tunnels.Values];
}
