using System.Collections.Concurrent;

namespace Gateway.Actors.Endpoints;

/// <summary>
/// Which other nodes' endpoints this node's replica is in step with; readiness waits for all of
/// the cluster's reachable members (or for its time bound).
/// </summary>
public sealed class ReplicaProgress
{
    private readonly ConcurrentDictionary<string, bool> _inStep = new(StringComparer.Ordinal);

    public void Set(string nodeAddress, bool inStep) => _inStep[nodeAddress] = inStep;

    public void Remove(string nodeAddress) => _inStep.TryRemove(nodeAddress, out _);

    public bool IsInStepWith(string nodeAddress) => _inStep.TryGetValue(nodeAddress, out var inStep) && inStep;
}
