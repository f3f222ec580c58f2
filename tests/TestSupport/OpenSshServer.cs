using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>
/// A real OpenSSH sshd on a loopback port, with its own host key and configuration, running as
/// the current user. Used to check our client role against the reference server.
/// </summary>
public sealed class OpenSshServer : IAsyncDisposable
{
    private readonly ExternalProcess _process;

    private OpenSshServer(ExternalProcess process, int port, IReadOnlyDictionary<string, string> hostKeys, string hostPublicKey)
    {
        _process = process;
        Port = port;
        HostKeys = hostKeys;
        HostPublicKey = hostPublicKey;
    }

    public int Port { get; }

    /// <summary>The first host key in authorized_keys form.</summary>
    public string HostPublicKey { get; }

    /// <summary>Every host key in authorized_keys form, by ssh-keygen type (ed25519, ecdsa, rsa).</summary>
    public IReadOnlyDictionary<string, string> HostKeys { get; }

    /// <summary>One Ed25519 host key: what most tests need.</summary>
    public static readonly IReadOnlyList<(string Type, int? Bits)> Ed25519HostKey = [("ed25519", null)];

    /// <summary>A host key of every type sshd offers, for algorithm matrices.</summary>
    public static readonly IReadOnlyList<(string Type, int? Bits)> AllHostKeyTypes = [("ed25519", null), ("ecdsa", 256), ("rsa", 3072)];

    public string Log => _process.Stderr;

    public static string SshdPath => File.Exists("/usr/sbin/sshd") ? "/usr/sbin/sshd" : "sshd";

    /// <param name="hostKeyTypes">host keys to generate (<see cref="Ed25519HostKey"/> when null).</param>
    public static async Task<OpenSshServer> StartAsync(TempDirectory dir, string authorizedKeys, string? trustedUserCaKeys = null,
        IEnumerable<string>? extraConfig = null, IReadOnlyList<(string Type, int? Bits)>? hostKeyTypes = null)
    {
        var hostKeyFiles = new List<(string Type, string Path)>();
        foreach (var (type, bits) in hostKeyTypes ?? Ed25519HostKey)
            hostKeyFiles.Add((type, await OpenSshKeys.GenerateAsync(dir, "sshd_host_" + type, type, bits)));
        var authorizedKeysPath = dir.WritePrivate("authorized_keys", authorizedKeys);
        var lines = hostKeyFiles.Select(k => $"HostKey {k.Path}").ToList();
        lines.AddRange(
        [
            "ListenAddress 127.0.0.1",
            $"AuthorizedKeysFile {authorizedKeysPath}",
            "UsePAM no",
            "StrictModes no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PidFile none",
            "LogLevel VERBOSE",
            "AllowTcpForwarding yes",
            "GatewayPorts no",
            "Subsystem sftp internal-sftp",
        ]);
        if (trustedUserCaKeys is not null) lines.Add($"TrustedUserCAKeys {dir.WritePrivate("trusted_ca", trustedUserCaKeys)}");
        if (extraConfig is not null) lines.AddRange(extraConfig);
        var configPath = dir.WritePrivate("sshd_config", string.Join('\n', lines) + "\n");
        Directory.CreateDirectory("/run/sshd");

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = LoopbackPorts.Reserve();
            var process = ExternalProcess.Start(SshdPath, ["-D", "-e", "-f", configPath, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (await WaitForPortAsync(port, process, TimeSpan.FromSeconds(10)))
            {
                var hostKeys = hostKeyFiles.ToDictionary(k => k.Type, k => File.ReadAllText(k.Path + ".pub").Trim());
                return new OpenSshServer(process, port, hostKeys, hostKeys[hostKeyFiles[0].Type]);
            }
            await process.DisposeAsync();
        }
        throw new InvalidOperationException("sshd did not start");
    }

    private static async Task<bool> WaitForPortAsync(int port, ExternalProcess process, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        return false;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
