using System.Globalization;
using Gateway.Ssh.Client;

namespace Gateway.Bench;

/// <summary>
/// Opens --count idle tunnel connections (each authenticated with <c>-R 0</c> granted) to the
/// server whose process is --pid and reports that process's VmRSS before and after.
/// </summary>
public static class IdleTunnels
{
    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var port = args.GetInt("port");
        var count = args.GetInt("count", 1000);
        var pid = args.GetInt("pid");
        var options = TunnelClientPool.Options(args);
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(TimeSpan.FromSeconds(args.GetDouble("seconds", 120)));

        // warm the server's code paths so the baseline is not a cold process
        await (await TunnelClientPool.OpenTunnelAsync("127.0.0.1", port, options, window.Token)).DisposeAsync();
        await Task.Delay(2000, window.Token);
        var before = ProcessRss.ReadKib(pid);

        var clients = new SshClient[count];
        var next = -1;
        var workers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
                clients[i] = await TunnelClientPool.OpenTunnelAsync("127.0.0.1", port, options, window.Token);
        })).ToArray();
        try
        {
            await Task.WhenAll(workers);
            var after = await ProcessRss.SettledKibAsync(pid, window.Token);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"connections={count} rss_before_kib={before} rss_after_kib={after} kib_per_connection={(after - before) / (double)count:F1}"));
            return 0;
        }
        finally
        {
            await Task.WhenAll(clients.Where(c => c is not null).Select(c => c.DisposeAsync().AsTask()));
        }
    }
}
