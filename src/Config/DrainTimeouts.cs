using System.Globalization;

namespace Gateway.Config;

/// <summary>
/// The values <c>cluster.drain_timeout</c> accepts. The file takes a duration ("30s"); the flag and
/// <c>GATEWAY_DRAIN_TIMEOUT</c> also take bare seconds ("30", "0.5"), as the variable always has.
/// </summary>
public static class DrainTimeouts
{
    /// <summary>Null when <paramref name="value"/> is an acceptable bound; otherwise what is wrong.</summary>
    public static string? Check(TimeSpan value)
        => value > GatewayClusterConfig.MaxDrainTimeout
            ? $"expected at most {GatewayClusterConfig.MaxDrainTimeout.TotalSeconds:0} seconds, got {value.TotalSeconds.ToString(CultureInfo.InvariantCulture)}"
            : null;

    public static bool TryParseOverride(string text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        var trimmed = text.Trim();
        if (double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            // Checked before converting: a huge number would overflow TimeSpan.
            if (seconds <= GatewayClusterConfig.MaxDrainTimeout.TotalSeconds)
            {
                value = TimeSpan.FromSeconds(seconds);
                error = "";
                return true;
            }
        }
        else if (DurationParser.TryParse(trimmed, out value) && Check(value) is null)
        {
            error = "";
            return true;
        }
        error = $"expected seconds (0-3600) or a duration such as \"30s\", got \"{text}\"";
        return false;
    }
}
