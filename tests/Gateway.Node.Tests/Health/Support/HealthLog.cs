using Gateway.Node.Tests.Support;

namespace Gateway.Node.Tests.Health.Support;

/// <summary>
/// The health check lines of a node's log (one per result shown: transitions, and the results
/// <c>always_log_*</c> asks for), read in order, with bounded waits for a number of them.
/// </summary>
public static class HealthLog
{
    /// <summary>The text of every log line containing <paramref name="prefix"/>, from the prefix on, in order.</summary>
    public static IReadOnlyList<string> Lines(GatewayNodeProcess node, string prefix)
        => node.Log.Split('\n')
            .Select(l => l.IndexOf(prefix, StringComparison.Ordinal) is var i and >= 0 ? l[i..].TrimEnd('\r') : null)
            .OfType<string>()
            .ToList();

    /// <summary>Waits until at least <paramref name="count"/> lines start with <paramref name="prefix"/> and contain <paramref name="text"/>.</summary>
    public static async Task<bool> WaitForCountAsync(GatewayNodeProcess node, string prefix, string text, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Count(node, prefix, text) >= count) return true;
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(25);
        }
    }

    public static int Count(GatewayNodeProcess node, string prefix, string text)
        => Lines(node, prefix).Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>
    /// The lines after the last one containing <paramref name="from"/> up to the first later one
    /// containing <paramref name="to"/> (both excluded); null when that pair is not in the log.
    /// </summary>
    public static IReadOnlyList<string>? Between(GatewayNodeProcess node, string prefix, string from, string to)
    {
        var lines = Lines(node, prefix);
        var end = -1;
        var start = -1;
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            if (lines[i].Contains(to, StringComparison.Ordinal)) end = i;
            else if (end >= 0 && lines[i].Contains(from, StringComparison.Ordinal)) { start = i; break; }
        }
        return start < 0 ? null : lines.Skip(start + 1).Take(end - start - 1).ToList();
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling every 20 ms; false when the time ran out.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(20);
        }
        return true;
    }
}
