using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Ssh.Crypto;

namespace Gateway.Ssh.Tests.Crypto;

/// <summary>Builds matched sealing/opening cipher pairs and well-formed SSH packets for tests.</summary>
internal static class CipherTestSupport
{
    /// <summary>Every supported cipher, paired with every MAC when it is not AEAD.</summary>
    public static IEnumerable<object[]> Suites()
    {
        foreach (var c in CipherAlgorithms.SupportedCiphers)
        {
            Assert.True(CipherAlgorithms.TryGetCipher(c, out var info));
            if (info.IsAead)
            {
                yield return [c, ""];
                continue;
            }
            foreach (var m in CipherAlgorithms.SupportedMacs)
                yield return [c, m];
        }
    }

    public static (IPacketCipher Sealer, IPacketCipher Opener) CreatePair(string cipherName, string macName, int seed)
    {
        Assert.True(CipherAlgorithms.TryGetCipher(cipherName, out var cipher));
        MacInfo? mac = null;
        if (macName.Length > 0)
        {
            Assert.True(CipherAlgorithms.TryGetMac(macName, out var m));
            mac = m;
        }
        var random = new Random(seed);
        var key = new byte[cipher.KeyLength];
        var iv = new byte[cipher.IvLength];
        var macKey = new byte[mac?.KeyLength ?? 0];
        random.NextBytes(key);
        random.NextBytes(iv);
        random.NextBytes(macKey);
        return (CipherAlgorithms.Create(cipher, mac, key, iv, macKey, encrypt: true),
                CipherAlgorithms.Create(cipher, mac, key, iv, macKey, encrypt: false));
    }

    /// <summary>
    /// A plaintext packet for <paramref name="cipher"/>: length ‖ padding_length ‖ payload ‖ padding
    /// (4..255 bytes, aligned as RFC 4253 §6 asks) ‖ room for the tag.
    /// </summary>
    public static byte[] BuildPacket(IPacketCipher cipher, ReadOnlySpan<byte> payload, Random random)
    {
        var align = Math.Max(8, cipher.BlockSize);
        var unpadded = 1 + payload.Length + (cipher.LengthIsAligned ? 4 : 0);
        var padding = align - unpadded % align;
        if (padding < 4) padding += align;
        var bodyLength = 1 + payload.Length + padding;
        var packet = new byte[4 + bodyLength + cipher.TagLength];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)bodyLength);
        packet[4] = (byte)padding;
        payload.CopyTo(packet.AsSpan(5));
        random.NextBytes(packet.AsSpan(5 + payload.Length, padding));
        return packet;
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Key(int length) => RandomNumberGenerator.GetBytes(length);
}
