using Gateway.Ssh.Client;

namespace Gateway.Bench;

/// <summary>
/// Opens tunnel connections the way a fleet of clients run as services does: each one retried
/// after a failure (the server's early drop, a refused connection, a timeout) with a short random
/// back-off, as systemd's <c>Restart=</c> would, until it is granted or the window closes. With
/// several node ports, each retry goes to the next port of the list, as a client whose gateway
/// name lists every node does.
/// </summary>
public sealed class RetryingTunnelOpener(IReadOnlyList<int> ports, SshClientOptions options, (string Host, uint Port) forward)
{
    private long _failedAttempts;

    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    public IReadOnlyList<int> Ports => ports;

    /// <summary>Opens <paramref name="count"/> tunnels, all on the first port, at most <paramref name="concurrency"/> in progress at once; slots left null were not granted in time.</summary>
    public async Task<TunnelSlot?[]> OpenAsync(int count, int concurrency, CancellationToken window)
    {
        var slots = new TunnelSlot?[count];
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(concurrency, count)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && !window.IsCancellationRequested)
                slots[i] = await OpenOneAsync(0, window, rotate: false);
        })).ToArray();
        await Task.WhenAll(workers);
        return slots;
    }

    /// <summary>
    /// One tunnel on the port at <paramref name="firstPortIndex"/>, each retry on the next port when
    /// <paramref name="rotate"/>; null when the window closed first.
    /// </summary>
    public async Task<TunnelSlot?> OpenOneAsync(int firstPortIndex, CancellationToken window, bool rotate = true)
    {
        for (var attempt = 0; !window.IsCancellationRequested; attempt++)
        {
            var portIndex = (firstPortIndex + (rotate ? attempt : 0)) % ports.Count;
            try
            {
                var client = await TunnelClientPool.OpenTunnelAsync("127.0.0.1", ports[portIndex], options, window, forward);
                return new TunnelSlot(client, portIndex);
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

/// <summary>An open tunnel connection and the index of the node port it is connected to.</summary>
public sealed record TunnelSlot(SshClient Client, int PortIndex);
