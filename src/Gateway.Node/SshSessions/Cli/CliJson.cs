using System.Text.Json;

namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// The one way <c>--json</c> output is written: snake_case field names from the report records,
/// nulls kept (a script can tell "none" from "missing"), indented, one document and a newline.
/// </summary>
public static class CliJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public static string Write<T>(T report) => JsonSerializer.Serialize(report, Options) + "\n";
}
