using System.Collections.Concurrent;

namespace Gateway.Node.Tunnels;

/// <summary>
/// Keys (node addresses, endpoint ids) suspected until a moment: marking extends the window, and
/// the list forgets a key by itself when its window ran out. Thread-safe; the clock is a parameter
/// so that tests can drive it.
/// </summary>
public sealed class SuspectList
{
    private readonly ConcurrentDictionary<string, long> _until = new(StringComparer.Ordinal);
    private readonly Func<long> _now;

    /// <param name="now">milliseconds of a monotonic clock (<see cref="Environment.TickCount64"/> by default)</param>
    public SuspectList(TimeSpan window, Func<long>? now = null)
    {
        Window = window;
        _now = now ?? (() => Environment.TickCount64);
    }

    public TimeSpan Window { get; }

    public bool IsEmpty => _until.IsEmpty;

    public bool Contains(string key) => _until.TryGetValue(key, out var until) && _now() < until;

    /// <summary>Suspects <paramref name="key"/> for a window from now; true when it was not suspected before.</summary>
    public bool Mark(string key)
    {
        var isNew = !Contains(key);
        _until[key] = _now() + (long)Window.TotalMilliseconds;
        return isNew;
    }

    /// <summary>Milliseconds until the key's window ends (0 when it is not suspected).</summary>
    public long Remaining(string key) => _until.TryGetValue(key, out var until) ? Math.Max(0, until - _now()) : 0;

    /// <summary>Removes the key when its window ran out; false while it is still suspected.</summary>
    public bool TryExpire(string key)
    {
        if (Contains(key)) return false;
        _until.TryRemove(key, out _);
        return true;
    }

    public IReadOnlyCollection<string> Keys => [.. _until.Keys.Where(Contains)];
}
