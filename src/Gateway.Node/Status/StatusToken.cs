using System.Security.Cryptography;
using System.Text;
using Gateway.Config;

namespace Gateway.Node.Status;

/// <summary>
/// The bearer token that <c>/status</c> and <c>POST /drain</c> require: <c>GATEWAY_STATUS_TOKEN</c>
/// when set (it wins, so an orchestrator's secret overrides a file baked into an image), otherwise
/// the trimmed content of <c>cluster.status_token_file</c> (checked by the config loader: readable,
/// not empty, private to the node's user). Kept out of <see cref="GatewayConfig"/>, which is a record
/// and would print it.
/// </summary>
public sealed class StatusToken
{
    public const string EnvironmentVariable = "GATEWAY_STATUS_TOKEN";

    private readonly byte[]? _digest;

    private StatusToken(byte[]? digest, string? source)
    {
        _digest = digest;
        Source = source;
    }

    /// <summary>Where the token came from, for the start-up log line; null when none is configured.</summary>
    public string? Source { get; }

    public bool IsConfigured => _digest is not null;

    public static StatusToken Load(GatewayClusterConfig? cluster, Func<string, string?> environment)
    {
        var fromEnvironment = environment(EnvironmentVariable)?.Trim();
        if (!string.IsNullOrEmpty(fromEnvironment))
            return new StatusToken(Digest(fromEnvironment), EnvironmentVariable);
        if (cluster?.StatusTokenFile is { } file)
        {
            var text = File.ReadAllText(file).Trim();
            if (text.Length == 0) throw new InvalidOperationException($"cluster.status_token_file {file} is empty");
            return new StatusToken(Digest(text), $"cluster.status_token_file ({file})");
        }
        return new StatusToken(null, null);
    }

    /// <summary>
    /// Whether <paramref name="presented"/> is the token. Both sides are hashed first, so the
    /// comparison takes the same time whatever the presented length and wherever it differs.
    /// </summary>
    public bool Matches(string presented)
        => _digest is not null && CryptographicOperations.FixedTimeEquals(_digest, Digest(presented));

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
