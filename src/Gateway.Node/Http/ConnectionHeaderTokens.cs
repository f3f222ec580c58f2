using Microsoft.Extensions.Primitives;

namespace Gateway.Node.Http;

/// <summary>
/// Headers a sender names in <c>Connection:</c> are meant for the next hop only (RFC 9110 §7.6.1)
/// and a proxy removes them, in both directions. Without this a client could send
/// <c>Connection: X-Secret</c> and have a header reach the upstream that the sender meant for the
/// gateway alone, or an upstream could hand the client a header it marked as hop-by-hop. The
/// framing headers are never removed: YARP and Kestrel frame the message themselves.
/// </summary>
public static class ConnectionHeaderTokens
{
    private static readonly HashSet<string> Kept = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding",
    };

    /// <summary>The header names listed in the Connection header values, without the framing headers.</summary>
    public static IEnumerable<string> Named(IEnumerable<string?> connectionValues)
    {
        foreach (var value in connectionValues)
        {
            if (string.IsNullOrEmpty(value))
                continue;
            foreach (var token in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Kept.Contains(token))
                    yield return token;
            }
        }
    }

    public static IEnumerable<string> Named(StringValues connection) => Named((IEnumerable<string?>)connection);
}
