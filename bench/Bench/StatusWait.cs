using System.Globalization;

namespace Gateway.Bench;

/// <summary>
/// Polls one or more nodes' endpoint counts (every --interval-ms) until each satisfies the
/// condition, and reports for each the milliseconds since the change began (<see cref="SinceMark"/>). Condition: --at-most N (default 0) of endpoints_local, or with --node of
/// the endpoints that node lists for the given member. With --total-at-least N instead: until the
/// nodes' endpoints_local add up to at least N (a fleet that moved to them), reported as total_ms.
/// </summary>
public static class StatusWait
{
    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var urls = args.Get("urls").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var node = args.Get("node", "") is { Length: > 0 } n ? n : null;
        var atMost = args.GetInt("at-most", 0);
        var since = new SinceMark(args);
        var interval = TimeSpan.FromMilliseconds(args.GetInt("interval-ms", 50));
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(TimeSpan.FromSeconds(args.GetDouble("seconds", 60)));

        if (args.Get("total-at-least", "") is { Length: > 0 } total)
            return await WaitForTotalAsync(urls, int.Parse(total, CultureInfo.InvariantCulture), since, interval, window.Token, cancellationToken);

        var reached = new long?[urls.Length];
        while (reached.Any(r => r is null) && !window.IsCancellationRequested)
        {
            var began = since.Value;
            var counts = await Task.WhenAll(urls.Select(u => StatusPoller.EndpointCountAsync(u, node, window.Token)));
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (var i = 0; i < urls.Length; i++)
                if (began is not null && reached[i] is null && counts[i] is { } c && c <= atMost) reached[i] = now - began.Value;
            if (reached.Any(r => r is null))
            {
                try { await Task.Delay(interval, window.Token); }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            }
        }
        var parts = reached.Select((r, i) => $"node{i}_ms={(r is { } v ? v.ToString(CultureInfo.InvariantCulture) : "timeout")}");
        var all = reached.All(r => r is not null) ? reached.Max()!.Value.ToString(CultureInfo.InvariantCulture) : "timeout";
        Console.WriteLine($"{string.Join(' ', parts)} all_ms={all}");
        return reached.All(r => r is not null) ? 0 : 1;
    }

    private static async Task<int> WaitForTotalAsync(string[] urls, int atLeast, SinceMark since, TimeSpan interval, CancellationToken window, CancellationToken cancellationToken)
    {
        var last = 0;
        while (!window.IsCancellationRequested)
        {
            var began = since.Value;
            var counts = await Task.WhenAll(urls.Select(u => StatusPoller.EndpointCountAsync(u, null, window)));
            if (counts.All(c => c is not null))
            {
                last = counts.Sum(c => c!.Value);
                if (began is not null && last >= atLeast)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total_ms={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - began.Value} total={last}"));
                    return 0;
                }
            }
            try { await Task.Delay(interval, window); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total_ms=timeout total={last}"));
        return 1;
    }
}
