using System.Globalization;

namespace Gateway.Bench;

/// <summary>Resident memory of a process, as the kernel reports it (VmRSS in /proc/&lt;pid&gt;/status).</summary>
public static class ProcessRss
{
    public static long ReadKib(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"no VmRSS for pid {pid}");
    }

    /// <summary>After a burst the server may have a GC pending: samples a few times, a second apart, and keeps the last.</summary>
    public static async Task<long> SettledKibAsync(int pid, CancellationToken cancellationToken)
    {
        long kib = 0;
        for (var s = 0; s < 5; s++)
        {
            await Task.Delay(1000, cancellationToken);
            kib = ReadKib(pid);
        }
        return kib;
    }
}
