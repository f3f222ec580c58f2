using Gateway.Ssh.Keys;

namespace Gateway.Bench;

/// <summary>Reads the ssh-keygen files bench/run creates.</summary>
public static class BenchKeys
{
    public static SshPrivateKey LoadPrivate(string path) => SshKeys.LoadPrivateKey(File.ReadAllText(path));

    /// <summary>A ".pub" file or any file whose first line is an authorized_keys line.</summary>
    public static SshPublicKey LoadPublic(string path) => SshKeys.ParseAuthorizedKey(File.ReadAllLines(path)[0].Trim());
}
