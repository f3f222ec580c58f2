using System.Text.Json;

namespace Gateway.Bench;

/// <summary>
/// Reads a node's <c>/status/endpoint-directory</c> (the small status document: counters and
/// endpoint counts, not every endpoint).
/// </summary>
public static class StatusPoller
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>endpoints_local, or with <paramref name="node"/> the endpoints this node lists for that node.</summary>
    public static async Task<int?> EndpointCountAsync(string url, string? node, CancellationToken cancellationToken)
    {
        try
        {
            using var doc = JsonDocument.Parse(await Http.GetStringAsync(url, cancellationToken));
            if (node is null) return doc.RootElement.GetProperty("endpoints_local").GetInt32();
            return doc.RootElement.GetProperty("endpoints_by_node").TryGetProperty(node, out var n) ? n.GetInt32() : 0;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            return null;   // a node busy with a storm may answer late: the next poll tries again
        }
    }
}
