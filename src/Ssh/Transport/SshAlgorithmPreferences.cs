using Gateway.Ssh.Crypto;
using Gateway.Ssh.Kex;

namespace Gateway.Ssh.Transport;

/// <summary>
/// The algorithm lists offered in KEXINIT. Order is preference: it decides the outcome only when
/// we are the client (RFC 4253 §7.1 takes the client's first entry the server also has).
/// </summary>
public sealed class SshAlgorithmPreferences
{
    /// <summary>Host key signature algorithms this transport can use.</summary>
    public static IReadOnlyList<string> SupportedHostKeyAlgorithms { get; } =
    [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256",
    ];

    /// <summary>NIST ECDH is implemented but off by default: audits such as ssh-audit fail NIST curves.</summary>
    public IList<string> KeyExchange { get; set; } = new List<string> { "mlkem768x25519-sha256", "curve25519-sha256", "curve25519-sha256@libssh.org" };

    public IList<string> HostKey { get; set; } = new List<string> { "ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256" };

    public IList<string> Ciphers { get; set; } = new List<string>
    {
        "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr", "aes128-ctr",
    };

    /// <summary>Only used with non-AEAD ciphers (the ctr modes).</summary>
    public IList<string> Macs { get; set; } = new List<string> { "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com" };

    public IList<string> Compression { get; set; } = new List<string> { "none" };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first empty list or unsupported entry.</summary>
    public void Validate()
    {
        Check(nameof(KeyExchange), KeyExchange, KeyExchangeAlgorithms.IsSupported);
        Check(nameof(HostKey), HostKey, name => SupportedHostKeyAlgorithms.Contains(name));
        Check(nameof(Ciphers), Ciphers, name => CipherAlgorithms.TryGetCipher(name, out _));
        Check(nameof(Macs), Macs, name => CipherAlgorithms.TryGetMac(name, out _));
        Check(nameof(Compression), Compression, name => name == "none");
    }

    public SshAlgorithmPreferences Clone() => new()
    {
        KeyExchange = KeyExchange.ToList(),
        HostKey = HostKey.ToList(),
        Ciphers = Ciphers.ToList(),
        Macs = Macs.ToList(),
        Compression = Compression.ToList(),
    };

    private static void Check(string listName, IList<string>? names, Func<string, bool> isSupported)
    {
        if (names is null || names.Count == 0)
            throw new ArgumentException($"SSH algorithm list '{listName}' is empty", listName);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (string.IsNullOrEmpty(name) || !isSupported(name))
                throw new ArgumentException($"SSH algorithm list '{listName}' contains unsupported entry '{name}'", listName);
            if (!seen.Add(name))
                throw new ArgumentException($"SSH algorithm list '{listName}' contains '{name}' twice", listName);
        }
    }
}
