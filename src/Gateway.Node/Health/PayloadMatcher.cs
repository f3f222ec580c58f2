using Gateway.Config;

namespace Gateway.Node.Health;

/// <summary>
/// Envoy's "fuzzy" match of <c>receive</c> payloads: each must be found, in the order given, each
/// after the end of the one before, not necessarily contiguous.
/// </summary>
public static class PayloadMatcher
{
    public static bool Matches(IReadOnlyList<HealthCheckPayload> expected, ReadOnlySpan<byte> received)
    {
        var start = 0;
        foreach (var payload in expected)
        {
            var found = received[start..].IndexOf(payload.Bytes);
            if (found < 0)
                return false;
            start += found + payload.Bytes.Length;
        }
        return true;
    }

    public static int TotalLength(IReadOnlyList<HealthCheckPayload> payloads) => payloads.Sum(p => p.Bytes.Length);
}
