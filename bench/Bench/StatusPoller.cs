using System.Text.Json;

namespace Gateway.Bench;

/// <summary>
/// Reads a node's <c>/status/endpoint-directory</c> (the small status document: counters and
/// endpoint counts, not every endpoint).
/// </summary>
public static class StatusPoller
{
    private static readonly HttpClient Http = CreateClient();

    /// <summary>The nodes' status token (bench/fleet exports it to them and to this process).</summary>
    private static HttpClient CreateClient()
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        if (Environment.GetEnvironmentVariable("GATEWAY_STATUS_TOKEN") is { Length: > 0 } token)
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

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
