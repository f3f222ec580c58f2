using Gateway.Testing;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>
/// The algorithm names the matrices run: every one the library implements (our client against our
/// server), and the subset this machine's OpenSSH knows (against the real ssh and sshd).
/// </summary>
public static class AlgorithmMatrix
{
    public static readonly string[] Kex = ["mlkem768x25519-sha256", "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256"];
    public static readonly string[] HostKeys = ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"];

    /// <summary>Ciphers, with the MAC for those that are not AEAD (null for the AEAD ones).</summary>
    public static readonly (string Cipher, string? Mac)[] CipherSuites =
    [
        ("chacha20-poly1305@openssh.com", null),
        ("aes256-gcm@openssh.com", null),
        ("aes128-gcm@openssh.com", null),
        ("aes256-ctr", "hmac-sha2-256-etm@openssh.com"),
        ("aes256-ctr", "hmac-sha2-512-etm@openssh.com"),
        ("aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
        ("aes128-ctr", "hmac-sha2-512-etm@openssh.com"),
    ];

    private static readonly Lazy<string[]> LocalKex = new(() =>
    {
        var known = ExternalProcess.RunAsync("ssh", ["-Q", "kex"], TimeSpan.FromSeconds(30)).GetAwaiter().GetResult().Stdout.Split('\n');
        return Kex.Where(known.Contains).ToArray();
    });

    /// <summary>
    /// Key exchanges this machine's OpenSSH knows (`ssh -Q kex`; sshd comes from the same build):
    /// Debian 12's OpenSSH 9.2 predates mlkem768x25519-sha256 (OpenSSH 9.9), which is therefore
    /// checked by our own client in the transport tests instead.
    /// </summary>
    public static IReadOnlyList<string> KexOfLocalOpenSsh => LocalKex.Value;
}
