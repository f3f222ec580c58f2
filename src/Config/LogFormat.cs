namespace Gateway.Config;

/// <summary>How the node writes its console log.</summary>
public enum LogFormat
{
    /// <summary>One line per event: time, level, category, message (for people).</summary>
    Simple,

    /// <summary>One JSON object per line (for log collectors).</summary>
    Json,
}

/// <summary>The names <c>--log-format</c> accepts.</summary>
public static class LogFormats
{
    public const string Names = "simple or json";

    public static bool TryParse(string text, out LogFormat format)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "simple":
                format = LogFormat.Simple;
                return true;
            case "json":
                format = LogFormat.Json;
                return true;
            default:
                format = LogFormat.Simple;
                return false;
        }
    }
}
