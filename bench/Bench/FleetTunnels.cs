using System.Diagnostics;
using System.Globalization;
using Gateway.Ssh.Client;

namespace Gateway.Bench;

/// <summary>
/// A fleet of tunnel clients for <c>bench/fleet</c>: opens --count tunnel connections at once
/// (--concurrency handshakes in flight, each client retried after a failure), reports how long
/// until all were granted and, with --status-url, until the node listed --expect-local endpoints,
/// and the VmRSS growth of the node process --pid. Then holds them idle until a line "close"
/// arrives on stdin (or --hold-seconds pass), prints the Unix time in ms, and disconnects all
/// at once. With --ports p1,p2,... (instead of --port) the fleet opens on p1, and with
/// --reconnect 1 every client whose connection ends reconnects to another port
/// (<see cref="FleetReconnector"/>). --forward host:port and --serve-port make each client a
/// static forward to that local port (requests through it then reach a real upstream).
/// </summary>
public static class FleetTunnels
{
    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var ports = args.Get("ports", "") is { Length: > 0 } list
            ? list.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray()
            : [args.GetInt("port")];
        var count = args.GetInt("count");
        var concurrency = args.GetInt("concurrency", 256);
        var pid = args.GetInt("pid", 0);
        var statusUrl = args.Get("status-url", "");
        var expectLocal = args.GetInt("expect-local", count);
        var opener = new RetryingTunnelOpener(ports, TunnelClientPool.Options(args), TunnelClientPool.Forward(args));

        var before = pid > 0 ? ProcessRss.ReadKib(pid) : 0;
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(TimeSpan.FromSeconds(args.GetDouble("seconds", 300)));
        var clock = Stopwatch.StartNew();
        var clients = await opener.OpenAsync(count, concurrency, window.Token);
        var grantedMs = clock.ElapsedMilliseconds;
        var opened = clients.Count(c => c is not null);
        using var closing = new CancellationTokenSource();
        var reconnector = new FleetReconnector(opener, clients, closing.Token);
        if (args.GetInt("reconnect", 0) == 1) reconnector.Start();

        var listedMs = "n/a";
        if (statusUrl.Length > 0)
        {
            while (!window.IsCancellationRequested)
            {
                if (await StatusPoller.EndpointCountAsync(statusUrl, null, window.Token) >= expectLocal)
                {
                    listedMs = clock.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture);
                    break;
                }
                try { await Task.Delay(100, window.Token); }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { listedMs = "timeout"; }
            }
        }
        var after = pid > 0 ? await ProcessRss.SettledKibAsync(pid, cancellationToken) : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"opened={opened} of={count} failed_attempts={opener.FailedAttempts} all_granted_ms={(opened == count ? grantedMs.ToString(CultureInfo.InvariantCulture) : "timeout")} all_listed_ms={listedMs} rss_before_kib={before} rss_after_kib={after} kib_per_connection={(opened > 0 ? (after - before) / (double)opened : 0):F1}"));

        try
        {
            await WaitForCloseAsync(TimeSpan.FromSeconds(args.GetDouble("hold-seconds", 600)), cancellationToken);
        }
        finally
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"closing_at_ms={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}"));
            await closing.CancelAsync();
            var disposing = Stopwatch.StartNew();
            TunnelSlot?[] open;
            lock (clients) open = clients.Where(c => c is not null).ToArray();
            await Task.WhenAll(open.Select(c => Task.Run(async () =>
            {
                try { await c!.Client.DisposeAsync(); }
                catch (Exception) { }   // a connection the server closed first is gone either way
            })));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"closed={open.Length} reconnected={reconnector.Reconnected} dispose_ms={disposing.ElapsedMilliseconds}"));
        }
        return opened == count ? 0 : 1;
    }

    private static async Task WaitForCloseAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        var line = Task.Run(() =>
        {
            string? l;
            while ((l = Console.In.ReadLine()) is not null && l.Trim() != "close") { }
        }, CancellationToken.None);
        await Task.WhenAny(line, Task.Delay(bound, cancellationToken));
    }
}
