using Gateway.Node.Secrets;
using Gateway.Config;
using Gateway.Ssh.Keys;

namespace Gateway.Node.SshSessions;

/// <summary>
/// The node's SSH host keys: the configured ones (<c>ssh_host_key_files</c>, <c>ssh_host_keys</c>),
/// or, when none are configured, an Ed25519 and an RSA-3072 key generated on first start and kept
/// in <c>data_dir</c> in OpenSSH's format (so <c>ssh-keygen -l</c> can show their fingerprints).
/// </summary>
public static class HostKeyStore
{
    public const string Ed25519FileName = "ssh_host_ed25519_key";
    public const string RsaFileName = "ssh_host_rsa_key";

    public static IReadOnlyList<SshPrivateKey> Load(GatewayConfig config, ILogger logger)
    {
        var keys = new List<SshPrivateKey>();
        foreach (var path in config.SshHostKeyFiles)
            keys.Add(LoadFile(path, $"ssh_host_key_files: {path}"));
        for (var i = 0; i < config.SshHostKeys.Count; i++)
            keys.Add(Parse(config.SshHostKeys[i], $"ssh_host_keys[{i}]"));
        if (keys.Count > 0) return keys;

        Directory.CreateDirectory(config.DataDir);
        keys.Add(LoadOrGenerate(Path.Combine(config.DataDir, Ed25519FileName), SshKeyKind.Ed25519, logger));
        keys.Add(LoadOrGenerate(Path.Combine(config.DataDir, RsaFileName), SshKeyKind.Rsa, logger));
        return keys;
    }

    private static SshPrivateKey LoadOrGenerate(string path, SshKeyKind kind, ILogger logger)
    {
        if (File.Exists(path)) return LoadFile(path, path);
        var key = SshKeys.Generate(kind, 3072);
        PrivateFile.WriteAtomically(path, SshKeys.ExportPrivateKey(key, "gateway host key"), overwrite: false);
        File.WriteAllText(path + ".pub", SshKeys.FormatAuthorizedKey(key.PublicKey, "gateway host key") + "\n");
        logger.LogInformation("generated SSH host key {Path} ({Fingerprint})", path, SshKeys.Fingerprint(key.PublicKey));
        return key;
    }

    private static SshPrivateKey LoadFile(string path, string what)
    {
        try
        {
            return Parse(File.ReadAllText(path), what);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"{what}: cannot read the host key: {ex.Message}", ex);
        }
    }

    private static SshPrivateKey Parse(string pem, string what)
    {
        try
        {
            return SshKeys.LoadPrivateKey(pem);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"{what}: {ex.Message}", ex);
        }
    }
}
