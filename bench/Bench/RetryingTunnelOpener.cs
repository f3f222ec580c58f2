using Gateway.Ssh.Client;

namespace Gateway.Bench;

/// <summary>
/// Opens tunnel connections the way a fleet of clients run as services does: each one retried
/// after a failure (the server's early drop, a refused connection, a timeout) with a short random
/// back-off, as systemd's <c>Restart=</c> would, until it is granted or the window closes.
/// </summary>
public sealed class RetryingTunnelOpener(int port, SshClientOptions options)
{
    private long _failedAttempts;

    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    /// <summary>Opens <paramref name="count"/> tunnels, at most <paramref name="concurrency"/> in progress at once; slots left null were not granted in time.</summary>
    public async Task<SshClient?[]> OpenAsync(int count, int concurrency, CancellationToken window)
    {
        var clients = new SshClient?[count];
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(concurrency, count)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && !window.IsCancellationRequested)
                clients[i] = await OpenOneAsync(window);
        })).ToArray();
        await Task.WhenAll(workers);
        return clients;
    }

    private async Task<SshClient?> OpenOneAsync(CancellationToken window)
    {
        while (!window.IsCancellationRequested)
        {
            try
            {
                return await TunnelClientPool.OpenTunnelAsync("127.0.0.1", port, options, window);
            }
            catch (Exception) when (!window.IsCancellationRequested)
            {
                Interlocked.Increment(ref _failedAttempts);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(100, 1000)), window);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        return null;
    }
}
