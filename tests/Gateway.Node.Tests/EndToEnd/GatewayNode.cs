using System.Globalization;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// A gateway node run as a separate process (the built Gateway.Node executable) with a config
/// file of the test's own: loopback ports, its own data directory. Ready once it logs
/// "gateway ready"; killed when disposed.
/// </summary>
public sealed class GatewayNode : IAsyncDisposable
{
    private readonly ExternalProcess _process;

    private GatewayNode(ExternalProcess process, string dataDir, int httpsPort, int sshPort)
    {
        _process = process;
        DataDir = dataDir;
        HttpsPort = httpsPort;
        SshPort = sshPort;
    }

    public string DataDir { get; }
    public int HttpsPort { get; }
    public int SshPort { get; }
    public string Log => _process.Stdout + _process.Stderr;
    public bool HasExited => _process.HasExited;
    public string CaPath => Path.Combine(DataDir, "ca.pem");

    /// <summary>The node's Ed25519 host key, for a known_hosts line.</summary>
    public string HostKeyLine => File.ReadAllText(Path.Combine(DataDir, "ssh_host_ed25519_key.pub")).Trim();

    public static string ExecutablePath => Path.Combine(AppContext.BaseDirectory, "Gateway.Node");

    /// <summary>
    /// Starts a node. <paramref name="configBody"/> is HOCON without the listener keys, which are
    /// filled in here with free loopback ports; <paramref name="extraArgs"/> follow <c>--config</c>.
    /// </summary>
    public static async Task<GatewayNode> StartAsync(TempDirectory dir, string configBody, TimeSpan? timeout = null, IEnumerable<string>? extraArgs = null)
    {
        var dataDir = Path.Combine(dir.Path, "data-" + Guid.NewGuid().ToString("N")[..6]);
        var httpsPort = LoopbackPorts.Reserve();
        var sshPort = LoopbackPorts.Reserve();
        var config = $"""
            address = "127.0.0.1:{httpsPort}"
            ssh_address = "127.0.0.1:{sshPort}"
            data_dir = "{dataDir}"
            {configBody}
            """;
        var path = dir.WritePrivate($"gateway-{httpsPort}.hocon", config);
        var process = ExternalProcess.Start(ExecutablePath, ["--config", path, .. extraArgs ?? []]);
        var node = new GatewayNode(process, dataDir, httpsPort, sshPort);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (process.Stdout.Contains("gateway ready", StringComparison.Ordinal)) return node;
            if (process.HasExited) break;
            await Task.Delay(50);
        }
        var log = node.Log;
        await node.DisposeAsync();
        throw new InvalidOperationException($"gateway node did not become ready:\n{log}");
    }

    /// <summary>Runs the node with a config that must be refused; returns exit code and output.</summary>
    public static async Task<ProcessResult> RunExpectingFailureAsync(TempDirectory dir, string config)
    {
        var path = dir.WritePrivate($"bad-{Guid.NewGuid():N}.hocon", config);
        return await ExternalProcess.RunAsync(ExecutablePath, ["--config", path], TimeSpan.FromSeconds(60));
    }

    /// <summary>Waits until the node's log contains <paramref name="text"/>.</summary>
    public async Task<bool> WaitForLogAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Log.Contains(text, StringComparison.Ordinal)) return true;
            await Task.Delay(25);
        }
        return false;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"gateway https:{HttpsPort} ssh:{SshPort}");
}
