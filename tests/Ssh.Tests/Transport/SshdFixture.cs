using System.Diagnostics;
using System.Net.Sockets;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Tests.Keys;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>A real OpenSSH sshd on a loopback port, with its own config and host keys, killed on dispose.</summary>
public sealed class SshdFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gw-sshd-" + Guid.NewGuid().ToString("N"));
    private Process? _process;
    private readonly System.Text.StringBuilder _log = new();

    public int Port { get; private set; }
    public Dictionary<string, SshPublicKey> HostKeys { get; } = new();

    /// <summary>A user key that sshd accepts for any user the tests log in as.</summary>
    public SshPrivateKey UserKey { get; private set; } = null!;

    public static string UserName => Environment.UserName;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Directory.CreateDirectory("/run/sshd");
        var config = new System.Text.StringBuilder();
        foreach (var (type, bits) in new[] { ("ed25519", 0), ("ecdsa", 256), ("rsa", 3072) })
        {
            var path = Path.Combine(_directory, "host_" + type);
            SshKeygen.CreateKey(path, type, bits);
            var key = SshKeys.ParseAuthorizedKey(File.ReadAllText(path + ".pub").Trim());
            HostKeys[type] = key;
            config.AppendLine("HostKey " + path);
        }
        Port = Gateway.Testing.LoopbackPorts.Reserve();
        config.AppendLine("ListenAddress 127.0.0.1");
        config.AppendLine("UsePAM no");
        config.AppendLine("StrictModes no");
        config.AppendLine("PidFile none");
        config.AppendLine("PasswordAuthentication no");
        config.AppendLine("KbdInteractiveAuthentication no");
        UserKey = SshKeys.Generate(SshKeyKind.Ed25519);
        var authorizedKeys = Path.Combine(_directory, "authorized_keys");
        await File.WriteAllTextAsync(authorizedKeys, SshKeys.FormatAuthorizedKey(UserKey.PublicKey) + "\n");
        config.AppendLine("AuthorizedKeysFile " + authorizedKeys);
        config.AppendLine("PermitRootLogin prohibit-password");
        config.AppendLine("LogLevel DEBUG3");
        var configPath = Path.Combine(_directory, "sshd_config");
        await File.WriteAllTextAsync(configPath, config.ToString());

        var start = new ProcessStartInfo("/usr/sbin/sshd")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-D", "-e", "-f", configPath, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        _process = Process.Start(start) ?? throw new InvalidOperationException("sshd did not start");
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException("sshd exited: " + Log);
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
            _process?.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        _process?.Dispose();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
        return Task.CompletedTask;
    }
}
