using System.Text.RegularExpressions;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>A user of the gateway: an ssh-keygen key pair and the real OpenSSH client pinned to the node's host key.</summary>
public sealed partial class TunnelClient
{
    private readonly TempDirectory _dir;

    private TunnelClient(TempDirectory dir, string keyPath, string publicKey)
    {
        _dir = dir;
        KeyPath = keyPath;
        PublicKey = publicKey;
    }

    public string KeyPath { get; }

    /// <summary>"ssh-ed25519 AAAA..." for the node's users list.</summary>
    public string PublicKey { get; }

    public static async Task<TunnelClient> CreateAsync(TempDirectory dir, string name)
    {
        var key = await OpenSshKeys.GenerateAsync(dir, name, "ed25519");
        var line = (await File.ReadAllTextAsync(key + ".pub")).Trim().Split(' ');
        return new TunnelClient(dir, key, $"{line[0]} {line[1]}");
    }

    /// <summary>Starts <c>ssh</c> against the node with the given flags (e.g. <c>-N -R 0</c>).</summary>
    public ExternalProcess Connect(GatewayNodeProcess node, IEnumerable<string> flags, string? command = null, bool redirectStdin = false)
    {
        var client = new OpenSshClient(_dir, node.SshPort, node.HostKeyLine, KeyPath, user: "tunnel");
        var args = client.Arguments(["ExitOnForwardFailure=no"], flags);
        if (command is not null) args.Add(command);
        return ExternalProcess.Start("ssh", args, redirectStdin);
    }

    /// <summary>The <c>ssh</c> command line (program first) for running it elsewhere, e.g. inside a terminal.</summary>
    public List<string> CommandLine(GatewayNodeProcess node, IEnumerable<string> flags)
    {
        var client = new OpenSshClient(_dir, node.SshPort, node.HostKeyLine, KeyPath, user: "tunnel");
        return ["ssh", .. client.Arguments(["ExitOnForwardFailure=no"], flags)];
    }

    /// <summary>Runs <c>ssh</c> against the node to completion (e.g. <c>-S ctl -O cancel -R ...</c> against a master connection).</summary>
    public Task<ProcessResult> RunAsync(GatewayNodeProcess node, IEnumerable<string> flags, TimeSpan timeout)
    {
        var client = new OpenSshClient(_dir, node.SshPort, node.HostKeyLine, KeyPath, user: "tunnel");
        return ExternalProcess.RunAsync("ssh", client.Arguments(["ExitOnForwardFailure=no"], flags), timeout);
    }

    /// <summary>Waits for OpenSSH to report every forward answered (it logs each at -v).</summary>
    public static async Task<uint?> WaitForForwardAsync(ExternalProcess ssh, TimeSpan timeout)
    {
        var ok = await ssh.WaitForStderrAsync(s => s.Contains("remote forward success", StringComparison.Ordinal) || s.Contains("remote port forwarding failed", StringComparison.Ordinal), timeout);
        if (!ok) throw new TimeoutException("no forward reply:\n" + ssh.Stderr);
        // OpenSSH prints "Allocated port" in a separate write just after the success line of a port-0
        // forward, which reads "listen 0," or, with a bind address, "listen host:0,".
        if (PortZeroSuccess().IsMatch(ssh.Stderr))
            await ssh.WaitForStderrAsync(s => AllocatedPort().IsMatch(s), timeout);
        var match = AllocatedPort().Match(ssh.Stderr);
        return match.Success ? uint.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"remote forward success for: listen (?:[^,\s]*:)?0,")]
    private static partial Regex PortZeroSuccess();

    [GeneratedRegex(@"Allocated port (\d+)")]
    private static partial Regex AllocatedPort();
}
