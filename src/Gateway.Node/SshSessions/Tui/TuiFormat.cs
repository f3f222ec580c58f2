using System.Globalization;
using Gateway.Actors.Sessions;
using Gateway.Contracts.Tunnels;

namespace Gateway.Node.SshSessions.Tui;

/// <summary>How values read in the TUI's cells: byte counts, durations, statuses.</summary>
public static class TuiFormat
{
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B") : value < 100
            ? string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0} {units[unit]}");
    }

    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero) duration = TimeSpan.Zero;
        if (duration.TotalSeconds < 1) return string.Create(CultureInfo.InvariantCulture, $"{(int)Math.Round(duration.TotalMilliseconds)}ms");
        if (duration.TotalSeconds < 60) return string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0}s");
        if (duration.TotalHours < 1) return string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s");
        return string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}h{duration.Minutes:00}m");
    }

    /// <summary>Client column: "Health Check" for probes (as the reference), the peer otherwise, and the relaying node when there was one.</summary>
    public static string Client(ConnectionSnapshot row)
        => (row.IsHealthCheck ? "Health Check" : row.Downstream) + (row.Via is null ? "" : $" via {row.Via}");

    /// <summary>Port Forward Status: <c>--</c> not served, <c>INACTIVE</c> while failing its checks, else <c>ACTIVE</c>.</summary>
    public static string RouteStatus(RouteSnapshot route)
        => !route.Served ? "--" : route.Health == EndpointHealth.Unhealthy ? "INACTIVE" : "ACTIVE";

    /// <summary><c>--</c> not served; <c>UNKNOWN</c> until a check concluded (and for routes without checks, as the reference).</summary>
    public static string RouteHealth(RouteSnapshot route) => !route.Served ? "--" : route.Health switch
    {
        EndpointHealth.Healthy => "HEALTHY",
        EndpointHealth.Degraded => "DEGRADED",
        EndpointHealth.Unhealthy => "UNHEALTHY",
        _ => "UNKNOWN",
    };
}
