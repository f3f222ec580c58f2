using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Node.Tests.Support;

/// <summary>
/// A gateway node run as a separate process (the built Gateway.Node executable) with a config
/// file of the test's own: loopback ports, its own data directory. The config file and ports are
/// fixed when the node is created, so it can be stopped (SIGTERM or SIGKILL) and started again on
/// the same ports with the same data. Ready once it logs "gateway ready" (and, when asked, once
/// its status listener's <c>/readyz</c> answers 200); killed when disposed.
/// </summary>
public sealed class GatewayNodeProcess : IAsyncDisposable
{
    private const string ReadyLine = "gateway ready";
    private static readonly HttpClient StatusHttp = new() { Timeout = TimeSpan.FromSeconds(10) };
    private static readonly HttpClient ReadyzHttp = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly string[] _extraArgs;
    private readonly IDictionary<string, string>? _environment;
    private readonly int? _statusPort;
    private readonly string[] _launcher;
    private ExternalProcess? _process;

    private GatewayNodeProcess(string name, string configPath, string dataDir, int httpsPort, int sshPort, int? statusPort,
        IEnumerable<string>? extraArgs, IDictionary<string, string>? environment, string host = "127.0.0.1", IEnumerable<string>? launcher = null)
    {
        Host = host;
        _launcher = [.. launcher ?? []];
        Name = name;
        ConfigPath = configPath;
        DataDir = dataDir;
        HttpsPort = httpsPort;
        SshPort = sshPort;
        _statusPort = statusPort;
        _extraArgs = [.. extraArgs ?? []];
        // Every node gets a status token of its own unless the test sets the variable itself
        // (to an empty value for a node without one).
        _environment = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        if (!_environment.ContainsKey(Gateway.Node.Status.StatusToken.EnvironmentVariable))
            _environment[Gateway.Node.Status.StatusToken.EnvironmentVariable] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        StatusToken = _environment[Gateway.Node.Status.StatusToken.EnvironmentVariable];
    }

    /// <summary>The bearer token for the status listener's <c>/status</c> and <c>POST /drain</c> (from <c>GATEWAY_STATUS_TOKEN</c>).</summary>
    public string StatusToken { get; }

    public static string ExecutablePath => Path.Combine(AppContext.BaseDirectory, "Gateway.Node");

    public string Name { get; }
    public string ConfigPath { get; }
    public string DataDir { get; }
    public int HttpsPort { get; }
    public int SshPort { get; }

    /// <summary>The status listener's port (<c>cluster.status_address</c>), when the config has one.</summary>
    public int StatusPort => _statusPort ?? throw new InvalidOperationException($"{Name} has no status listener");

    /// <summary>The address its listeners are reached on (127.0.0.1 unless the node runs in a network namespace of the test's).</summary>
    public string Host { get; }

    public string HttpsAddress => string.Create(CultureInfo.InvariantCulture, $"{Host}:{HttpsPort}");
    public string SshAddress => string.Create(CultureInfo.InvariantCulture, $"{Host}:{SshPort}");
    public string StatusUrl => string.Create(CultureInfo.InvariantCulture, $"http://{Host}:{StatusPort}");

    /// <summary>Output of the latest run (running or ended).</summary>
    public string Log => _process is null ? "" : _process.Stdout + _process.Stderr;

    /// <summary>Output and exit code of the last run that ended by itself or after <see cref="StopAsync"/>.</summary>
    public string LastLog { get; private set; } = "";
    public int? LastExitCode { get; private set; }

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>The running node's resident memory (VmRSS from /proc), in bytes.</summary>
    public long ResidentBytes()
    {
        var id = _process?.Id ?? throw new InvalidOperationException($"{Name} is not running");
        var line = File.ReadLines($"/proc/{id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
    public string CaPath => Path.Combine(DataDir, "ca.pem");

    /// <summary>The node's Ed25519 host key, for a known_hosts line.</summary>
    public string HostKeyLine => File.ReadAllText(Path.Combine(DataDir, "ssh_host_ed25519_key.pub")).Trim();

    /// <summary>
    /// Writes the config of a node not yet started. <paramref name="configBody"/> is HOCON without
    /// the listener keys and data directory, which are filled in here (free loopback ports from
    /// <see cref="LoopbackPorts"/>). <paramref name="statusPort"/> is the port the body gives
    /// <c>cluster.status_address</c>, if any; <paramref name="extraArgs"/> follow <c>--config</c>.
    /// </summary>
    public static GatewayNodeProcess Create(TempDirectory dir, string configBody, string? name = null, int? statusPort = null,
        IEnumerable<string>? extraArgs = null, IDictionary<string, string>? environment = null)
    {
        var httpsPort = LoopbackPorts.Reserve();
        var sshPort = LoopbackPorts.Reserve();
        var dataDir = Path.Combine(dir.Path, "data-" + (name ?? Guid.NewGuid().ToString("N")[..6]));
        var config = $"""
            address = "127.0.0.1:{httpsPort}"
            ssh_address = "127.0.0.1:{sshPort}"
            data_dir = "{dataDir}"
            {configBody}
            """;
        var path = dir.WritePrivate($"gateway-{name ?? httpsPort.ToString(CultureInfo.InvariantCulture)}.hocon", config);
        return FromConfigFile(path, dataDir, httpsPort, sshPort, statusPort, name, extraArgs, environment);
    }

    /// <summary>A node for a complete config file the test wrote itself; the ports and data directory are the ones it names.</summary>
    /// <remarks>
    /// <paramref name="host"/> is where the test reaches the node's listeners; <paramref name="launcher"/>
    /// is a command the node's executable is run by (e.g. <c>ip netns exec NAME</c>), which must exec it.
    /// </remarks>
    public static GatewayNodeProcess FromConfigFile(string configPath, string dataDir, int httpsPort, int sshPort, int? statusPort = null,
        string? name = null, IEnumerable<string>? extraArgs = null, IDictionary<string, string>? environment = null,
        string host = "127.0.0.1", IEnumerable<string>? launcher = null)
        => new(name ?? string.Create(CultureInfo.InvariantCulture, $"gateway https:{httpsPort} ssh:{sshPort}"),
            configPath, dataDir, httpsPort, sshPort, statusPort, extraArgs, environment, host, launcher);

    /// <summary>Creates and starts a node; throws with its output if it does not become ready.</summary>
    public static async Task<GatewayNodeProcess> StartAsync(TempDirectory dir, string configBody, TimeSpan? timeout = null, IEnumerable<string>? extraArgs = null)
    {
        var node = Create(dir, configBody, extraArgs: extraArgs);
        await node.StartAsync(timeout ?? TimeSpan.FromSeconds(60));
        return node;
    }

    /// <summary>Runs the node with a config that must be refused; returns exit code and output.</summary>
    public static async Task<ProcessResult> RunExpectingFailureAsync(TempDirectory dir, string config)
    {
        var path = dir.WritePrivate($"bad-{Guid.NewGuid():N}.hocon", config);
        return await ExternalProcess.RunAsync(ExecutablePath, ["--config", path], TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Starts the process and waits for "gateway ready" (then, with <paramref name="waitForReadyz"/>,
    /// for <c>/readyz</c> to answer 200). A node that is not ready in time is killed (nothing is
    /// left to dispose) and its output reported.
    /// </summary>
    public async Task StartAsync(TimeSpan timeout, bool waitForReadyz = false)
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException($"{Name} is already running");
        if (_process is not null) await _process.DisposeAsync();
        var process = _launcher.Length == 0
            ? ExternalProcess.Start(ExecutablePath, ["--config", ConfigPath, .. _extraArgs], environment: _environment)
            : ExternalProcess.Start(_launcher[0], [.. _launcher[1..], ExecutablePath, "--config", ConfigPath, .. _extraArgs], environment: _environment);
        _process = process;
        var deadline = DateTime.UtcNow + timeout;
        var ready = false;
        while (!ready && DateTime.UtcNow < deadline)
        {
            ready = process.Stdout.Contains(ReadyLine, StringComparison.Ordinal);
            if (ready || process.HasExited) break;
            await Task.Delay(50);
        }
        while (ready && waitForReadyz && !await IsReadyAsync(CancellationToken.None))
        {
            if (DateTime.UtcNow >= deadline || process.HasExited) ready = false;
            else await Task.Delay(50);
        }
        if (ready) return;
        var log = Log;
        await process.DisposeAsync();
        throw new InvalidOperationException($"{Name} did not become ready:\n{log}");
    }

    /// <summary>
    /// SIGTERM (a graceful drain and leave; Process.Kill would be SIGKILL), then waits for the
    /// exit; false if it did not exit in time.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        var process = _process is { HasExited: false } running ? running : throw new InvalidOperationException($"{Name} is not running");
        var kill = await ExternalProcess.RunAsync("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -TERM {process.Id} failed: {kill.Stderr}");
        return await WaitForExitAsync(timeout);
    }

    /// <summary>SIGKILL: no drain, no graceful leave. The ports stay the node's for a later <see cref="StartAsync(TimeSpan, bool)"/>.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        await _process.DisposeAsync();
        LastLog = Log;
        LastExitCode = null;
    }

    /// <summary>Waits for the process to exit by itself; keeps its exit code and output in <see cref="LastExitCode"/> and <see cref="LastLog"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started");
        if (!await process.WaitForExitAsync(timeout)) return false;
        LastExitCode = process.ExitCode;
        LastLog = process.Stdout + process.Stderr;
        return true;
    }

    /// <summary>Waits until the latest run's output contains <paramref name="text"/>.</summary>
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

    /// <summary>Whether the status listener's <c>/readyz</c> answers 200 now.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        try
        {
            using var response = await ReadyzHttp.GetAsync(StatusUrl + "/readyz", ct);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>GET on the status listener with the node's bearer token; the status code and body.</summary>
    public async Task<(int Status, string Body)> GetStatusAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, StatusUrl + path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", StatusToken);
        using var response = await StatusHttp.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary><c>POST /drain</c> with the node's bearer token; the status code.</summary>
    public async Task<HttpStatusCode> PostDrainAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, StatusUrl + "/drain");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", StatusToken);
        using var response = await StatusHttp.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Polls <c>/status</c> until <paramref name="condition"/> holds (bounded); returns the last document's text.</summary>
    public async Task<(bool Ok, string Json)> WaitForStatusAsync(Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var (status, body) = await GetStatusAsync("/status");
                last = body;
                if (status == 200)
                {
                    using var doc = JsonDocument.Parse(body);
                    if (condition(doc.RootElement)) return (true, body);
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            await Task.Delay(100);
        }
        return (false, last);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
    }

    /// <summary>The process id (for signals such as SIGSTOP); null when not running.</summary>
    public int? ProcessId => _process is { HasExited: false } running ? running.Id : null;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"gateway https:{HttpsPort} ssh:{SshPort}");
}
