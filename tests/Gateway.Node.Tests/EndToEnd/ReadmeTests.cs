using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// The README's commands, read from README.md and run word for word from the repository root as a
/// newcomer would: <c>dotnet run</c> (which builds in Debug the first time), the sample web server,
/// OpenSSH's <c>ssh -R 0</c> and curl, on the README's fixed ports, with <c>HOME</c> a fresh
/// directory so the node generates its keys and CA where the README says.
/// </summary>
/// <remarks>
/// One thing is added to a command: <c>ssh</c> gets <c>-F ~/.ssh/config</c>, because OpenSSH reads
/// the home directory from the password database, not from <c>HOME</c>; that config names the
/// test's key and known_hosts under the test's <c>HOME</c>.
/// </remarks>
public sealed class ReadmeTests : IAsyncLifetime
{
    /// <summary>The first `dotnet run` compiles every project in Debug: minutes on a busy 2-core machine.</summary>
    private static readonly TimeSpan StartBound = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ClaimBound = TimeSpan.FromMinutes(15);

    private readonly TempDirectory _home = new();
    private readonly List<IDisposable> _claims = [];
    private readonly List<ExternalProcess> _processes = [];
    private readonly string _root = RepositoryRoot();

    public async Task InitializeAsync()
    {
        // The README's ports are fixed: one test process at a time on this machine may use them.
        foreach (var port in LoopbackPorts.ReadmePorts.Order())
            _claims.Add(await LoopbackPorts.ClaimAsync(port, ClaimBound));
    }

    public async Task DisposeAsync()
    {
        for (var i = _processes.Count - 1; i >= 0; i--) await _processes[i].DisposeAsync();
        File.Delete(Path.Combine(_root, "my.hocon"));
        foreach (var claim in _claims) claim.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task Set_up_command_starts_a_node_whose_CA_curl_trusts()
    {
        var start = Commands(Section("## Set up"))[0];
        Assert.Equal("dotnet run --project src/Gateway.Node", start);
        var node = await StartNodeAsync(start);

        // The README's curl with its CA path: TLS verified (a route with no tunnel answers 503, which curl does not fail on).
        var curl = Commands(Section("## Try a tunnel")).Single(c => c.StartsWith("curl ", StringComparison.Ordinal));
        var result = await RunAsync(curl);
        Assert.True(result.ExitCode == 0, $"curl failed ({result.ExitCode}): {result.Stderr}\nnode:\n{Output(node)}");
    }

    [Fact]
    public async Task Try_a_tunnel_serves_the_local_web_server_through_the_gateway()
    {
        var commands = Commands(Section("## Try a tunnel"));
        Assert.Equal(4, commands.Count);
        var (runNode, webServer, tunnel, curl) = (commands[0], commands[1], commands[2], commands[3]);
        Assert.Equal("dotnet run --project src/Gateway.Node -- --config my.hocon", runNode);
        Assert.StartsWith("python3 -m http.server 8080", webServer, StringComparison.Ordinal);
        Assert.StartsWith("ssh ", tunnel, StringComparison.Ordinal);
        Assert.StartsWith("curl ", curl, StringComparison.Ordinal);

        // "Copy config.hocon, put your own public key in the demo user's ssh_keys."
        var publicKey = await CreateUserKeyAsync();
        var placeholder = new Regex("\"ssh-ed25519 [A-Za-z0-9+/=]+ demo@gateway\\.test\"");
        var config = await File.ReadAllTextAsync(Path.Combine(_root, "config.hocon"));
        Assert.Single(placeholder.Matches(config));
        await File.WriteAllTextAsync(Path.Combine(_root, "my.hocon"), placeholder.Replace(config, $"\"{publicKey}\""));

        var node = await StartNodeAsync(runNode);
        var web = Start(webServer);
        Assert.True(await WaitForPortAsync(8080, TimeSpan.FromSeconds(30)), "the web server did not listen on 8080: " + web.Stderr);
        var ssh = Start(tunnel.Replace("ssh ", "ssh -F ~/.ssh/config ", StringComparison.Ordinal));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        ProcessResult page;
        do
        {
            page = await RunAsync(curl);
            if (page.Stdout.Contains("Directory listing for /", StringComparison.Ordinal)) break;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline && !ssh.HasExited);

        Assert.True(page.Stdout.Contains("Directory listing for /", StringComparison.Ordinal),
            $"curl: {page.Stdout}\n{page.Stderr}\nssh:\n{ssh.Stderr}\nweb server:\n{web.Stderr}\nnode:\n{Output(node)}");
        // python3 -m http.server lists the directory it was started in: the repository root.
        Assert.Contains("README.md", page.Stdout);
        Assert.Contains("GET / ", web.Stderr);

        // "Ask the gateway": its commands, word for word, while the tunnel above serves the demo route.
        var ask = Commands(Section("## Ask the gateway"));
        Assert.Equal(4, ask.Count);
        var answers = new List<ProcessResult>();
        foreach (var command in ask)
        {
            Assert.StartsWith("ssh ", command, StringComparison.Ordinal);
            var answer = await RunAsync(command.Replace("ssh ", "ssh -F ~/.ssh/config ", StringComparison.Ordinal));
            Assert.True(answer.ExitCode == 0, $"`{command}` exited {answer.ExitCode}: {answer.Stderr}");
            answers.Add(answer);
        }
        Assert.Contains("Email:          demo@gateway.test", answers[0].Stdout);
        Assert.Matches(@"\nACTIVE\s+\S+\s+1\s+https://demo\.localhost\.gateway\.test\s", answers[1].Stdout);
        Assert.Contains("\"status\": \"ACTIVE\"", answers[2].Stdout);
        Assert.Matches(@"\n\(all\)\s+D \d+\s+dynamic\s+https://demo\.localhost\.gateway\.test", answers[3].Stdout);
    }

    /// <summary>Runs the command under bash in the repository root with the test's HOME; up once "gateway ready" is logged.</summary>
    private async Task<ExternalProcess> StartNodeAsync(string command)
    {
        var node = Start(command);
        var deadline = DateTime.UtcNow + StartBound;
        while (DateTime.UtcNow < deadline && !node.HasExited)
        {
            if (node.Stdout.Contains("gateway ready", StringComparison.Ordinal)) return node;
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException($"`{command}` did not log \"gateway ready\" within {StartBound} (exited: {node.HasExited}):\n{Output(node)}");
    }

    private ExternalProcess Start(string command)
    {
        var process = ExternalProcess.Start("bash", ["-c", command], workingDirectory: _root, environment: Environment(), unsetEnvironment: InheritedBuildVariables());
        _processes.Add(process);
        return process;
    }

    private async Task<ProcessResult> RunAsync(string command)
    {
        await using var process = ExternalProcess.Start("bash", ["-c", command], workingDirectory: _root, environment: Environment(), unsetEnvironment: InheritedBuildVariables());
        if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(60)))
            throw new TimeoutException($"`{command}` did not finish within 60 s");
        return new ProcessResult(process.ExitCode, process.Stdout, process.Stderr, []);
    }

    /// <summary>A fresh HOME; the .NET SDK keeps using the machine's package cache, so nothing is downloaded.</summary>
    private Dictionary<string, string> Environment()
    {
        var realHome = System.Environment.GetEnvironmentVariable("HOME") ?? "/root";
        return new Dictionary<string, string>
        {
            ["HOME"] = _home.Path,
            ["XDG_DATA_HOME"] = Path.Combine(_home.Path, ".local", "share"),
            ["NUGET_PACKAGES"] = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(realHome, ".nuget", "packages"),
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
    }

    /// <summary>Variables `dotnet test` sets for its own children, which would steer the `dotnet run` of the README.</summary>
    private static IEnumerable<string> InheritedBuildVariables()
        => System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || k is "DOTNET_HOST_PATH");

    /// <summary>~/.ssh/id_ed25519 as `ssh-keygen` makes it, and the config that points ssh at it (see remarks).</summary>
    private async Task<string> CreateUserKeyAsync()
    {
        var sshDir = Directory.CreateDirectory(Path.Combine(_home.Path, ".ssh")).FullName;
        File.SetUnixFileMode(sshDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var keyPath = Path.Combine(sshDir, "id_ed25519");
        var keygen = await ExternalProcess.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "newcomer@example.com", "-f", keyPath], TimeSpan.FromSeconds(30));
        Assert.True(keygen.ExitCode == 0, keygen.Stderr);
        await File.WriteAllTextAsync(Path.Combine(sshDir, "config"), $"""
            Host 127.0.0.1
              IdentityFile {keyPath}
              IdentitiesOnly yes
              UserKnownHostsFile {Path.Combine(sshDir, "known_hosts")}
              GlobalKnownHostsFile /dev/null
              StrictHostKeyChecking accept-new
              BatchMode yes

            """);
        return (await File.ReadAllTextAsync(keyPath + ".pub")).Trim();
    }

    /// <summary>The text of README.md from a "## " heading to the next one.</summary>
    private string Section(string heading)
    {
        var readme = File.ReadAllText(Path.Combine(_root, "README.md"));
        var start = readme.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no section {heading}");
        var end = readme.IndexOf("\n## ", start + heading.Length + 1, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    /// <summary>
    /// The commands of a section's first ```sh block: continuation lines joined, trailing comments
    /// and a trailing `&amp;` removed (the test runs each program in the background itself).
    /// </summary>
    private static List<string> Commands(string section)
    {
        var block = Regex.Match(section, "```sh\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "no ```sh block in:\n" + section);
        var joined = Regex.Replace(block.Groups[1].Value, "\\\\\n\\s*", "");
        return joined.Split('\n')
            .Select(line => Regex.Replace(line, "\\s+#.*$", "").Trim())
            .Select(line => line.EndsWith('&') ? line[..^1].TrimEnd() : line)
            .Where(line => line.Length > 0)
            .ToList();
    }

    private static string Output(ExternalProcess process) => process.Stdout + process.Stderr;

    private static async Task<bool> WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        return false;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln"))) return dir.FullName;
        throw new InvalidOperationException("no Cluster.sln above " + AppContext.BaseDirectory);
    }
}
