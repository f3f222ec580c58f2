namespace Gateway.Testing;

/// <summary>
/// Keeps tests that add or remove network interfaces on this machine (bridges, veth pairs) apart
/// from runs of programs that abort what they are doing when an interface changes. Chromium is one:
/// it watches the kernel's interface and address events and fails every navigation in flight with
/// <c>ERR_NETWORK_CHANGED</c> when one arrives, even for a loopback page. A change holds the gate
/// alone (and a second after, while the events settle); quiet runs share it. Waiting changes go
/// first, so a stream of short quiet runs cannot starve one.
/// </summary>
public static class HostNetworkChanges
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);
    private static readonly Lock Gate = new();
    private static int _quietRuns;
    private static bool _changing;
    private static int _waitingChanges;
    private static TaskCompletionSource _released = NewSignal();

    /// <summary>Held while interfaces change; other changes and every quiet run wait.</summary>
    public static async Task<IAsyncDisposable> ChangingAsync(CancellationToken ct = default)
    {
        lock (Gate) _waitingChanges++;
        try
        {
            while (true)
            {
                Task wait;
                lock (Gate)
                {
                    if (!_changing && _quietRuns == 0)
                    {
                        _changing = true;
                        return new Release(quiet: false);
                    }
                    wait = _released.Task;
                }
                await wait.WaitAsync(ct);
            }
        }
        finally
        {
            lock (Gate) _waitingChanges--;
        }
    }

    /// <summary>Held while a program that must not see an interface change runs.</summary>
    public static async Task<IAsyncDisposable> QuietAsync(CancellationToken ct = default)
    {
        while (true)
        {
            Task wait;
            lock (Gate)
            {
                if (!_changing && _waitingChanges == 0)
                {
                    _quietRuns++;
                    return new Release(quiet: true);
                }
                wait = _released.Task;
            }
            await wait.WaitAsync(ct);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Release(bool quiet) : IAsyncDisposable
    {
        private int _done;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) return;
            if (!quiet) await Task.Delay(Settle);
            TaskCompletionSource released;
            lock (Gate)
            {
                if (quiet) _quietRuns--;
                else _changing = false;
                released = _released;
                _released = NewSignal();
            }
            released.TrySetResult();
        }
    }
}
