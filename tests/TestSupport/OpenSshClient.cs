using System.Globalization;

namespace Gateway.Testing;

/// <summary>
/// Builds command lines for the real OpenSSH client against a server on 127.0.0.1: no user
/// config, batch mode, and the server's host key pinned in a known_hosts file of the test's own.
/// </summary>
public sealed class OpenSshClient
{
    private readonly string _knownHosts;

    public OpenSshClient(TempDirectory dir, int port, string hostKeyLine, string identityFile, string user = "alice")
        : this(port, dir.WritePrivate($"known_hosts_{Guid.NewGuid():N}", $"[127.0.0.1]:{port} {hostKeyLine}\n"), identityFile, user)
    {
    }

    /// <summary>A client whose known_hosts file already exists (shared by parallel clients).</summary>
    public OpenSshClient(int port, string knownHostsPath, string identityFile, string user = "alice")
    {
        Port = port;
        IdentityFile = identityFile;
        User = user;
        _knownHosts = knownHostsPath;
    }

    public int Port { get; }
    public string IdentityFile { get; set; }
    public string User { get; set; }

    /// <summary>Arguments for <c>ssh</c>, before the destination; <paramref name="options"/> are extra <c>-o</c> settings.</summary>
    public List<string> Arguments(IEnumerable<string>? options = null, IEnumerable<string>? flags = null)
    {
        var args = new List<string>
        {
            "-F", "/dev/null",
            "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-i", IdentityFile,
            "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=yes",
            "-o", $"UserKnownHostsFile={_knownHosts}",
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "ConnectTimeout=20",
            "-o", "ServerAliveInterval=10",
        };
        foreach (var option in options ?? []) args.AddRange(["-o", option]);
        args.AddRange(flags ?? []);
        args.Add($"{User}@127.0.0.1");
        return args;
    }

    public Task<ProcessResult> RunAsync(string command, byte[]? input = null, IEnumerable<string>? options = null, IEnumerable<string>? flags = null, TimeSpan? timeout = null)
    {
        var args = Arguments(options, flags);
        args.Add(command);
        return ExternalProcess.RunAsync("ssh", args, timeout ?? TimeSpan.FromSeconds(60), input);
    }

    public ExternalProcess Start(IEnumerable<string>? options = null, IEnumerable<string>? flags = null, string? command = null, bool redirectStdin = false)
    {
        var args = Arguments(options, flags);
        if (command is not null) args.Add(command);
        return ExternalProcess.Start("ssh", args, redirectStdin);
    }
}
