using Gateway.Contracts.Tunnels;

namespace Gateway.Node.Tunnels;

/// <summary>
/// The passive side of health checks: endpoints and nodes that just failed a request's attempt to
/// reach them are left out of load balancing for <see cref="Window"/>. A node is suspected when its
/// relay port refused or did not answer, or it did not answer for a ticket within the short bound
/// (<see cref="DialBounds.Reach"/>): the cluster's failure detector needs seconds to call it
/// unreachable. An endpoint is suspected when its client did not open the channel within the short
/// bound while another endpoint could take the request. A wrong suspicion costs only the window:
/// the endpoints come back by themselves. Never all of a route: when every endpoint of a route is
/// suspected, all are kept (a slow tunnel beats none; Envoy's outlier detection has the same
/// "panic" rule).
/// </summary>
public sealed class EndpointSuspects
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly SuspectList _nodes;
    private readonly SuspectList _endpoints;

    public EndpointSuspects() : this(null)
    {
    }

    /// <param name="now">the clock, for tests (milliseconds, monotonic)</param>
    public EndpointSuspects(Func<long>? now)
    {
        _nodes = new SuspectList(Window, now);
        _endpoints = new SuspectList(Window, now);
    }

    /// <summary>Raised when the set changed (the HTTP side recomputes its destinations).</summary>
    public event Action? Changed;

    /// <summary>Raised when a node becomes suspect (not when its window is extended).</summary>
    public event Action<string>? NodeSuspected;

    public bool IsNodeSuspect(string nodeAddress) => _nodes.Contains(nodeAddress);

    public bool IsSuspect(TunnelEndpoint endpoint) => _nodes.Contains(endpoint.NodeAddress) || _endpoints.Contains(endpoint.EndpointId);

    public IReadOnlyCollection<string> SuspectNodes => _nodes.Keys;

    public IReadOnlyCollection<string> SuspectEndpoints => _endpoints.Keys;

    public void SuspectNode(string nodeAddress)
    {
        if (!_nodes.Mark(nodeAddress)) return;
        NodeSuspected?.Invoke(nodeAddress);
        Changed?.Invoke();
        _ = ExpireAsync(_nodes, nodeAddress);
    }

    public void SuspectEndpoint(string endpointId)
    {
        if (!_endpoints.Mark(endpointId)) return;
        Changed?.Invoke();
        _ = ExpireAsync(_endpoints, endpointId);
    }

    /// <summary>The endpoints to balance over: the unsuspected ones, or all of them when every one is suspected.</summary>
    public IReadOnlyList<TunnelEndpoint> Filter(IReadOnlyList<TunnelEndpoint> endpoints)
    {
        if (_nodes.IsEmpty && _endpoints.IsEmpty) return endpoints;
        var healthy = endpoints.Where(e => !IsSuspect(e)).ToList();
        return healthy.Count > 0 ? healthy : endpoints;
    }

    private async Task ExpireAsync(SuspectList list, string key)
    {
        // Marking again extends the window meanwhile: wait until it really ran out.
        while (!list.TryExpire(key))
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(50, list.Remaining(key)))).ConfigureAwait(false);
        Changed?.Invoke();
    }
}
