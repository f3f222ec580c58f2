using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Endpoints;

/// <summary>Endpoints by id with an index by SSH connection; not thread-safe (its owner locks).</summary>
internal sealed class EndpointSet
{
    private readonly Dictionary<string, TunnelEndpoint> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _idsBySession = new(StringComparer.Ordinal);

    public int Count => _byId.Count;

    public IEnumerable<TunnelEndpoint> All => _byId.Values;

    public TunnelEndpoint? Find(string endpointId) => _byId.GetValueOrDefault(endpointId);

    public void Put(TunnelEndpoint endpoint)
    {
        _byId[endpoint.EndpointId] = endpoint;
        if (!_idsBySession.TryGetValue(endpoint.SessionId, out var ids))
            _idsBySession[endpoint.SessionId] = ids = new HashSet<string>(StringComparer.Ordinal);
        ids.Add(endpoint.EndpointId);
    }

    public TunnelEndpoint? Remove(string endpointId)
    {
        if (!_byId.Remove(endpointId, out var endpoint)) return null;
        var ids = _idsBySession[endpoint.SessionId];
        ids.Remove(endpointId);
        if (ids.Count == 0) _idsBySession.Remove(endpoint.SessionId);
        return endpoint;
    }

    /// <summary>Removes every endpoint of one SSH connection; returns their ids.</summary>
    public IReadOnlyCollection<string> RemoveSession(string sessionId)
    {
        if (!_idsBySession.Remove(sessionId, out var ids)) return [];
        foreach (var id in ids) _byId.Remove(id);
        return ids;
    }
}
