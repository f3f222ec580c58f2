using System.Diagnostics;
using System.Globalization;

namespace Gateway.Bench;

/// <summary>
/// New tunnel connections per second with our client: connect, key exchange, public-key
/// authentication, <c>-R 0</c>, disconnect; --count in total with --parallel at a time, bounded by --seconds.
/// </summary>
public static class TunnelConnectRate
{
    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var port = args.GetInt("port");
        var count = args.GetInt("count");
        var parallel = args.GetInt("parallel", 1);
        var options = TunnelClientPool.Options(args);
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(TimeSpan.FromSeconds(args.GetDouble("seconds", 60)));

        // one untimed connection: JIT and the server's first-connection costs are not the rate
        await (await TunnelClientPool.OpenTunnelAsync("127.0.0.1", port, options, window.Token)).DisposeAsync();

        var next = 0;
        var done = 0;
        var failed = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= count && !window.IsCancellationRequested)
            {
                try
                {
                    await (await TunnelClientPool.OpenTunnelAsync("127.0.0.1", port, options, window.Token)).DisposeAsync();
                    Interlocked.Increment(ref done);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    if (Interlocked.Increment(ref failed) == 1) Console.Error.WriteLine("tunnel-rate: " + ex.Message);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"connections={done} failed={failed} seconds={seconds:F2} per_second={done / seconds:F1}"));
        return failed > 0 ? 1 : 0;
    }
}
