using System.Collections.Concurrent;
using Gateway.Contracts.Tunnels;

namespace Gateway.Node.Relay;

/// <summary>
/// Nodes whose relay port refused or did not answer a connection, for <see cref="Window"/>. A
/// crashed node's port refuses at once, while the cluster's failure detector needs seconds to call
/// it unreachable; leaving its endpoints out of load balancing in between keeps new requests off it.
/// A wrong suspicion costs only that window: the endpoints come back by themselves.
/// </summary>
public sealed class RelaySuspects
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, long> _until = new(StringComparer.Ordinal);

    /// <summary>Raised when the set changed (the HTTP side recomputes its destinations).</summary>
    public event Action? Changed;

    public bool IsSuspect(string nodeAddress)
        => _until.TryGetValue(nodeAddress, out var until) && Environment.TickCount64 < until;

    public void Suspect(string nodeAddress)
    {
        var isNew = !IsSuspect(nodeAddress);
        _until[nodeAddress] = Environment.TickCount64 + (long)Window.TotalMilliseconds;
        if (!isNew) return;
        Changed?.Invoke();
        _ = ExpireAsync(nodeAddress);
    }

    public IEnumerable<TunnelEndpoint> Filter(IEnumerable<TunnelEndpoint> endpoints)
        => _until.IsEmpty ? endpoints : endpoints.Where(e => !IsSuspect(e.NodeAddress));

    private async Task ExpireAsync(string nodeAddress)
    {
        // Suspect() may extend the window meanwhile: wait until it really ran out.
        while (_until.TryGetValue(nodeAddress, out var until) && Environment.TickCount64 < until)
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(50, until - Environment.TickCount64))).ConfigureAwait(false);
        _until.TryRemove(nodeAddress, out _);
        Changed?.Invoke();
    }
}
