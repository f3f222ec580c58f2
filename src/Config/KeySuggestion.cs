namespace Gateway.Config;

/// <summary>Finds the known key an operator most likely meant when they typed an unknown one.</summary>
internal static class KeySuggestion
{
    public static string? Closest(string typed, IEnumerable<string> known)
    {
        // Dashes and case are the most common slips when carrying options over from flags or YAML.
        var normalised = typed.Replace('-', '_').ToLowerInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(normalised, candidate);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
        if (best is null)
            return null;
        var allowed = Math.Max(2, Math.Min(best.Length, normalised.Length) / 3);
        return bestDistance <= allowed ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
