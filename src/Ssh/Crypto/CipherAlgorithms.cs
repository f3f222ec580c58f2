using System.Security.Cryptography;

namespace Gateway.Ssh.Crypto;

/// <summary>
/// The packet ciphers and MACs this library negotiates, in our preference order, and the factory
/// that turns derived key material into an <see cref="IPacketCipher"/> for one direction.
/// </summary>
public static class CipherAlgorithms
{
    public const string Aes256Gcm = "aes256-gcm@openssh.com";
    public const string Aes128Gcm = "aes128-gcm@openssh.com";
    public const string ChaCha20Poly1305 = "chacha20-poly1305@openssh.com";
    public const string Aes256Ctr = "aes256-ctr";
    public const string Aes128Ctr = "aes128-ctr";
    public const string HmacSha256Etm = "hmac-sha2-256-etm@openssh.com";
    public const string HmacSha512Etm = "hmac-sha2-512-etm@openssh.com";

    private static readonly CipherInfo[] Ciphers =
    [
        new(Aes256Gcm, 32, 12, true, 16),
        new(Aes128Gcm, 16, 12, true, 16),
        new(ChaCha20Poly1305, 64, 0, true, 8),
        new(Aes256Ctr, 32, 16, false, 16),
        new(Aes128Ctr, 16, 16, false, 16),
    ];

    private static readonly MacInfo[] Macs =
    [
        new(HmacSha256Etm, 32, 32, true),
        new(HmacSha512Etm, 64, 64, true),
    ];

    public static IReadOnlyList<string> SupportedCiphers { get; } = Array.AsReadOnly(Ciphers.Select(c => c.Name).ToArray());

    public static IReadOnlyList<string> SupportedMacs { get; } = Array.AsReadOnly(Macs.Select(m => m.Name).ToArray());

    public static bool TryGetCipher(string name, out CipherInfo info)
    {
        foreach (var c in Ciphers)
        {
            if (c.Name == name)
            {
                info = c;
                return true;
            }
        }
        info = null!;
        return false;
    }

    public static bool TryGetMac(string name, out MacInfo info)
    {
        foreach (var m in Macs)
        {
            if (m.Name == name)
            {
                info = m;
                return true;
            }
        }
        info = null!;
        return false;
    }

    /// <summary>
    /// Builds the cipher for one direction and key epoch. <paramref name="key"/>, <paramref name="iv"/>
    /// and <paramref name="macKey"/> must have exactly the lengths the infos state; <paramref name="mac"/>
    /// is null (and <paramref name="macKey"/> empty) for AEAD ciphers.
    /// </summary>
    public static IPacketCipher Create(CipherInfo cipher, MacInfo? mac, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> macKey, bool encrypt)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        if (key.Length != cipher.KeyLength) throw new ArgumentException($"{cipher.Name} needs a {cipher.KeyLength}-byte key.", nameof(key));
        if (iv.Length != cipher.IvLength) throw new ArgumentException($"{cipher.Name} needs a {cipher.IvLength}-byte IV.", nameof(iv));
        if (!cipher.IsAead)
        {
            if (mac is null) throw new ArgumentException($"{cipher.Name} needs a MAC.", nameof(mac));
            if (macKey.Length != mac.KeyLength) throw new ArgumentException($"{mac.Name} needs a {mac.KeyLength}-byte key.", nameof(macKey));
        }

        return cipher.Name switch
        {
            Aes256Gcm or Aes128Gcm => new AesGcmCipher(key, iv),
            ChaCha20Poly1305 => new ChaCha20Poly1305Cipher(key),
            Aes256Ctr or Aes128Ctr => new AesCtrEtmCipher(key, iv, MacHash(mac!), macKey, mac!.TagLength),
            _ => throw new ArgumentException($"Unknown cipher {cipher.Name}.", nameof(cipher)),
        };
    }

    /// <summary>
    /// Bytes after which one direction should rekey, as OpenSSH computes it (packet.c
    /// ssh_set_newkeys): 2^32 blocks for 16-byte-block ciphers (64 GiB), 1 GiB otherwise
    /// (chacha20-poly1305 counts as 8-byte blocks).
    /// </summary>
    public static long RekeyAfterBytes(CipherInfo cipher)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        return cipher.BlockSize >= 16 ? (1L << 32) * cipher.BlockSize : 1L << 30;
    }

    private static HashAlgorithmName MacHash(MacInfo mac) => mac.Name switch
    {
        HmacSha256Etm => HashAlgorithmName.SHA256,
        HmacSha512Etm => HashAlgorithmName.SHA512,
        _ => throw new ArgumentException($"Unknown MAC {mac.Name}.", nameof(mac)),
    };

    /// <summary>The initial cipher: plaintext packets aligned to 8 including the length field.</summary>
    public static IPacketCipher CreateNone() => new NoneCipher();
}
