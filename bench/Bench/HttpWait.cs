using System.Globalization;

namespace Gateway.Bench;

/// <summary>
/// Sends GET --url with Host --host every --interval-ms (a new connection each time, as a new
/// visitor would) until one answers 200; reports the milliseconds since the change began (<see cref="SinceMark"/>).
/// </summary>
public static class HttpWait
{
    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var url = args.Get("url");
        var host = args.Get("host");
        var since = new SinceMark(args);
        var interval = TimeSpan.FromMilliseconds(args.GetInt("interval-ms", 20));
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(TimeSpan.FromSeconds(args.GetDouble("seconds", 60)));
        var attempts = 0;
        while (!window.IsCancellationRequested)
        {
            // Requests before the change began do not count: the route may still be served by then.
            if (since.Value is not { } began)
            {
                try { await Task.Delay(5, window.Token); } catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
                continue;
            }
            attempts++;
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    request.Headers.Host = host;
                    using var response = await http.SendAsync(request, window.Token);
                    if ((int)response.StatusCode == 200)
                    {
                        var ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - began;
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first_200_ms={ms} attempts={attempts}"));
                        return 0;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested) { }
            }
            try { await Task.Delay(interval, window.Token); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
        }
        Console.WriteLine($"first_200_ms=timeout attempts={attempts}");
        return 1;
    }
}
