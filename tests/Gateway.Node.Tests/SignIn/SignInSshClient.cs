using System.Globalization;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// A real OpenSSH client with a fresh key that no <c>users</c> entry names: it can only get in by
/// signing in. Keyboard-interactive is on and BatchMode off, as for a person or a service that
/// logs the sign-in URL (BatchMode turns keyboard-interactive off).
/// </summary>
public sealed class SignInSshClient
{
    private readonly TempDirectory _dir;

    private SignInSshClient(TempDirectory dir, string keyPath) => (_dir, KeyPath) = (dir, keyPath);

    public string KeyPath { get; }

    public static async Task<SignInSshClient> CreateAsync(TempDirectory dir, string name)
        => new(dir, await OpenSshKeys.GenerateAsync(dir, name, "ed25519"));

    public List<string> Arguments(GatewayNodeProcess node, IEnumerable<string> flags)
    {
        var knownHosts = _dir.WritePrivate($"known_hosts-{node.SshPort}", $"[127.0.0.1]:{node.SshPort} {node.HostKeyLine}\n");
        return
        [
            "-F", "/dev/null", "-p", node.SshPort.ToString(CultureInfo.InvariantCulture), "-i", KeyPath,
            "-o", "IdentitiesOnly=yes", "-o", "KbdInteractiveAuthentication=yes", "-o", "PasswordAuthentication=no",
            "-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={knownHosts}", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "ConnectTimeout=20", "-o", "ExitOnForwardFailure=no", .. flags, "tunnel@127.0.0.1",
        ];
    }

    public ExternalProcess Start(GatewayNodeProcess node, IEnumerable<string> flags, string? command = null)
    {
        var args = Arguments(node, flags);
        if (command is not null)
            args.Add(command);
        return ExternalProcess.Start("ssh", args);
    }

    /// <summary>Waits for the sign-in URL OpenSSH prints on stderr (the keyboard-interactive instruction).</summary>
    public static async Task<string> WaitForSignInUrlAsync(ExternalProcess ssh, TimeSpan timeout)
    {
        Assert.True(await ssh.WaitForStderrAsync(e => e.Contains("user_code=", StringComparison.Ordinal), timeout), "no sign-in URL:\n" + ssh.Stderr);
        return ssh.Stderr.Split('\n').Select(l => l.Trim()).First(l => l.Contains("/.pomerium/sign_in?user_code=", StringComparison.Ordinal));
    }
}
