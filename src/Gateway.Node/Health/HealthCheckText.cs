using System.Globalization;

namespace Gateway.Node.Health;

/// <summary>Short human-readable pieces of health check results.</summary>
internal static class HealthCheckText
{
    /// <summary>Go's style, as the config is written: 500ms, 1s, 1.5s, 2m30s.</summary>
    public static string Duration(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
            return value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        if (value < TimeSpan.FromMinutes(1))
            return value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        var minutes = (int)value.TotalMinutes;
        var seconds = (value - TimeSpan.FromMinutes(minutes)).TotalSeconds;
        return seconds == 0
            ? minutes.ToString(CultureInfo.InvariantCulture) + "m"
            : $"{minutes.ToString(CultureInfo.InvariantCulture)}m{seconds.ToString("0.###", CultureInfo.InvariantCulture)}s";
    }

    /// <summary>
    /// The line for an exception: a <see cref="HealthProbeException"/> anywhere in the chain wins
    /// (it was written for this); otherwise the innermost message, which names the real cause
    /// where HttpClient's outer ones say only "an error occurred while sending the request".
    /// </summary>
    public static string Describe(Exception e)
    {
        for (var current = (Exception?)e; current is not null; current = current.InnerException)
        {
            if (current is HealthProbeException probe)
                return probe.Message;
        }
        var innermost = e;
        while (innermost.InnerException is not null)
            innermost = innermost.InnerException;
        var message = innermost.Message.TrimEnd('.');
        return e is HttpRequestException && !ReferenceEquals(innermost, e)
            ? $"request failed: {message}"
            : message;
    }
}
