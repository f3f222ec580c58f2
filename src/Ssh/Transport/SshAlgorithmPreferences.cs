using Gateway.Ssh.Crypto;
using Gateway.Ssh.Kex;
using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Transport;

/// <summary>
/// The algorithm lists offered in KEXINIT. Order is preference: it decides the outcome only when
/// we are the client (RFC 4253 §7.1 takes the client's first entry the server also has).
/// </summary>
public sealed class SshAlgorithmPreferences
{
    /// <summary>Host key signature algorithms this transport can use.</summary>
    public static IReadOnlyList<string> SupportedHostKeyAlgorithms => SshKeyAlgorithms.SignatureAlgorithms;

    /// <summary>NIST ECDH is implemented but off by default: audits such as ssh-audit fail NIST curves.</summary>
    public static IReadOnlyList<string> DefaultKeyExchange { get; } =
        [KeyExchangeAlgorithms.MlKem768X25519Sha256, KeyExchangeAlgorithms.Curve25519Sha256, KeyExchangeAlgorithms.Curve25519Sha256LibSsh];

    public static IReadOnlyList<string> DefaultHostKey { get; } =
        [SshKeyAlgorithms.Ed25519, SshKeyAlgorithms.EcdsaP256, SshKeyAlgorithms.RsaSha512, SshKeyAlgorithms.RsaSha256];

    public static IReadOnlyList<string> DefaultCiphers { get; } =
    [
        CipherAlgorithms.ChaCha20Poly1305, CipherAlgorithms.Aes256Gcm, CipherAlgorithms.Aes128Gcm, CipherAlgorithms.Aes256Ctr, CipherAlgorithms.Aes128Ctr,
    ];

    /// <summary>Only used with non-AEAD ciphers (the ctr modes).</summary>
    public static IReadOnlyList<string> DefaultMacs { get; } = [CipherAlgorithms.HmacSha256Etm, CipherAlgorithms.HmacSha512Etm];

    public IList<string> KeyExchange { get; set; } = [.. DefaultKeyExchange];

    public IList<string> HostKey { get; set; } = [.. DefaultHostKey];

    public IList<string> Ciphers { get; set; } = [.. DefaultCiphers];

    public IList<string> Macs { get; set; } = [.. DefaultMacs];

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
