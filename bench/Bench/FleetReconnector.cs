using System.Globalization;

namespace Gateway.Bench;

/// <summary>
/// Keeps a fleet connected when a node goes away: each client whose connection ends reconnects
/// at once (and then with the opener's back-off), beginning with another node than the one it
/// lost. Client <c>i</c> begins at the <c>(i mod (n-1)) + 1</c>-th port after the lost one, so the
/// fleet spreads over the survivors. Prints <c>all_reconnected_at_ms</c> (Unix ms) once as many
/// reconnections as clients have happened.
/// </summary>
public sealed class FleetReconnector(RetryingTunnelOpener opener, TunnelSlot?[] slots, CancellationToken closing)
{
    private int _reconnected;

    public int Reconnected => Volatile.Read(ref _reconnected);

    public void Start()
    {
        for (var i = 0; i < slots.Length; i++)
        {
            var index = i;
            if (slots[index] is not null) _ = Task.Run(() => KeepAsync(index));
        }
    }

    private async Task KeepAsync(int index)
    {
        var ports = opener.Ports.Count;
        while (!closing.IsCancellationRequested && slots[index] is { } slot)
        {
            try { await slot.Client.Completion.WaitAsync(closing); }
            catch (OperationCanceledException) { return; }
            catch (Exception) { }   // a connection that ended with an error ended all the same
            await slot.Client.DisposeAsync();
            var first = (slot.PortIndex + 1 + index % Math.Max(1, ports - 1)) % ports;
            var next = await opener.OpenOneAsync(first, closing);
            lock (slots) slots[index] = next;
            if (next is null) return;
            if (Interlocked.Increment(ref _reconnected) == slots.Length)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"all_reconnected_at_ms={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}"));
        }
    }
}
