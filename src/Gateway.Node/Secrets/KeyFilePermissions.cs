using Gateway.Config;

namespace Gateway.Node.Secrets;

/// <summary>
/// Finds configured TLS private key files that others may read or write. SSH key files
/// (<c>ssh_host_key_files</c>, <c>ssh_user_ca_key_file</c>) are refused outright by the config
/// loader, as sshd refuses them; for TLS keys, which nginx and Pomerium load whatever their mode,
/// the node warns in sshd's words, naming the file, its mode and the config key, so that a
/// deployment that works today keeps starting while the operator fixes it.
/// </summary>
public static class KeyFilePermissions
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The TLS private key files the config names, with the config key that names each.</summary>
    public static IEnumerable<(string Path, string ConfigKey)> ConfiguredKeyFiles(GatewayConfig config)
    {
        for (var i = 0; i < config.Certificates.Count; i++)
            yield return (config.Certificates[i].Key, $"certificates[{i}].key");
    }

    /// <summary>One warning per file whose mode lets group or others in; files that cannot be read are left to the loader's error.</summary>
    public static IReadOnlyList<string> Warnings(IEnumerable<(string Path, string ConfigKey)> files)
    {
        var warnings = new List<string>();
        if (OperatingSystem.IsWindows()) return warnings;
        foreach (var (path, configKey) in files)
        {
            UnixFileMode mode;
            try
            {
                mode = File.GetUnixFileMode(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if ((mode & GroupOrOther) == 0) continue;
            warnings.Add($"UNPROTECTED PRIVATE KEY FILE: {configKey} {path} has mode {Octal(mode)}; " +
                         $"other users of this host can read it. Make it private: chmod 600 {path}");
        }
        return warnings;
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');
}
