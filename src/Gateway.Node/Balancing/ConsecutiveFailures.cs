using System.Collections.Concurrent;

namespace Gateway.Node.Balancing;

/// <summary>
/// Envoy's consecutive-failure count per key (a destination): <see cref="Failure"/> says when the
/// key just reached <see cref="Threshold"/> failures in a row (and starts counting again), any
/// <see cref="Success"/> resets it. Thread-safe.
/// </summary>
public sealed class ConsecutiveFailures(int threshold)
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.OrdinalIgnoreCase);

    public int Threshold { get; } = threshold > 0 ? threshold : throw new ArgumentOutOfRangeException(nameof(threshold));

    /// <summary>Counts a failure; true when this one is the <see cref="Threshold"/>-th in a row.</summary>
    public bool Failure(string key)
    {
        var count = _counts.AddOrUpdate(key, 1, (_, c) => c + 1);
        if (count < Threshold) return false;
        _counts.TryRemove(key, out _);
        return true;
    }

    public void Success(string key) => _counts.TryRemove(key, out _);

    public int CountOf(string key) => _counts.GetValueOrDefault(key);
}
