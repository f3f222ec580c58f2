namespace Gateway.Actors.Sessions;

/// <summary>
/// Shows a repeated warning once per key and interval instead of once per occurrence: a forward
/// that is set up wrong fails every request, and the person at the SSH client needs the warning,
/// not a screen of copies. The first occurrence is shown; later ones within <see cref="Interval"/>
/// of the last shown are counted; the first one after the interval is shown again with the total
/// count ("seen N times"). Plain state, driven by the session actor (one thread at a time).
/// </summary>
public sealed class WarningCollapse
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public WarningCollapse(TimeSpan? interval = null) => Interval = interval ?? DefaultInterval;

    public TimeSpan Interval { get; }

    /// <summary>
    /// Records one occurrence of <paramref name="key"/> at <paramref name="now"/>. Returns null when
    /// it is to be kept quiet, or the number of times it has been seen so far (1 for the first)
    /// when it is to be shown.
    /// </summary>
    public int? Occur(string key, DateTime now)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            _entries[key] = new Entry(1, now);
            return 1;
        }
        entry.Count++;
        if (now - entry.LastShown < Interval) return null;
        entry.LastShown = now;
        return entry.Count;
    }

    /// <summary>Forgets a key (its forward was cancelled: a new forward of the same name starts afresh).</summary>
    public void Forget(string key) => _entries.Remove(key);

    /// <summary>The suffix for a warning shown for the <paramref name="count"/>th time.</summary>
    public static string Suffix(int count) => count <= 1 ? "" : $" (seen {count} times)";

    private sealed class Entry(int count, DateTime lastShown)
    {
        public int Count { get; set; } = count;
        public DateTime LastShown { get; set; } = lastShown;
    }
}
