using System.Buffers.Binary;
using Gateway.Ssh.Crypto;

namespace Gateway.Ssh.Tests.Crypto;

public class PacketCipherTests
{
    public static IEnumerable<object[]> Suites() => CipherTestSupport.Suites();

    private static readonly int[] PayloadSizes = [0, 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 100, 255, 256, 1000, 4096, 32768, 35000];

    [Fact]
    public void Advertises_the_documented_names()
    {
        Assert.Equal(
            ["aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes256-ctr", "aes128-ctr"],
            CipherAlgorithms.SupportedCiphers);
        Assert.Equal(["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"], CipherAlgorithms.SupportedMacs);
        Assert.False(CipherAlgorithms.TryGetCipher("aes128-cbc", out _));
        Assert.False(CipherAlgorithms.TryGetMac("hmac-sha1", out _));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Round_trips_packets_of_many_sizes_over_consecutive_sequence_numbers(string cipherName, string macName)
    {
        var (sealer, opener) = CipherTestSupport.CreatePair(cipherName, macName, seed: 1);
        using var _ = sealer;
        using var __ = opener;
        var random = new Random(2);
        uint seq = 0;
        for (var round = 0; round < 3; round++)
        {
            foreach (var size in PayloadSizes)
            {
                var payload = CipherTestSupport.RandomBytes(size, random.Next());
                var packet = CipherTestSupport.BuildPacket(sealer, payload, random);
                var plain = packet.AsSpan(0, packet.Length - sealer.TagLength).ToArray();
                var alignedLength = packet.Length - sealer.TagLength - (sealer.LengthIsAligned ? 0 : 4);
                Assert.Equal(0, alignedLength % Math.Max(8, sealer.BlockSize));

                sealer.Seal(seq, packet);
                if (size >= 16)
                    Assert.False(plain.AsSpan(4).SequenceEqual(packet.AsSpan(4, plain.Length - 4)), "body was not encrypted");

                Assert.Equal((uint)(plain.Length - 4), opener.DecryptLength(seq, packet.AsSpan(0, 4)));
                Assert.True(opener.Open(seq, packet), $"packet {seq} of payload {size} did not open");
                Assert.Equal(plain, packet.AsSpan(0, plain.Length).ToArray());
                seq++;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Any_flipped_bit_makes_Open_fail(string cipherName, string macName)
    {
        var random = new Random(3);
        var payload = CipherTestSupport.RandomBytes(45, 4);
        for (var trial = 0; trial < 40; trial++)
        {
            var (sealer, opener) = CipherTestSupport.CreatePair(cipherName, macName, seed: 5);
            using var _ = sealer;
            using var __ = opener;
            var packet = CipherTestSupport.BuildPacket(sealer, payload, random);
            sealer.Seal(7, packet);
            // Cover the length field, the first body byte, the last body byte and the tag explicitly.
            var index = trial switch
            {
                0 => 0,
                1 => 3,
                2 => 4,
                3 => packet.Length - sealer.TagLength - 1,
                4 => packet.Length - 1,
                _ => random.Next(packet.Length),
            };
            packet[index] ^= (byte)(1 << random.Next(8));
            Assert.False(opener.Open(7, packet), $"flip at {index} was accepted");
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Wrong_sequence_number_fails(string cipherName, string macName)
    {
        var (sealer, opener) = CipherTestSupport.CreatePair(cipherName, macName, seed: 9);
        using var _ = sealer;
        using var __ = opener;
        var random = new Random(10);
        var packet = CipherTestSupport.BuildPacket(sealer, CipherTestSupport.RandomBytes(20, 11), random);
        sealer.Seal(1, packet);
        // GCM ignores the sequence number and follows its own invocation counter instead, so
        // desynchronise that: the opener has consumed one nonce more than the sealer.
        if (cipherName.Contains("gcm"))
            Assert.False(opener.Open(0, new byte[4 + 16 + 16]));
        Assert.False(opener.Open(2, packet));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Same_plaintext_twice_gives_different_ciphertext(string cipherName, string macName)
    {
        var (sealer, opener) = CipherTestSupport.CreatePair(cipherName, macName, seed: 12);
        using var _ = sealer;
        using var __ = opener;
        var payload = CipherTestSupport.RandomBytes(64, 13);
        var a = CipherTestSupport.BuildPacket(sealer, payload, new Random(14));
        var b = (byte[])a.Clone();
        sealer.Seal(0, a);
        sealer.Seal(1, b);
        Assert.NotEqual(a, b);
        Assert.True(opener.Open(0, a));
        Assert.True(opener.Open(1, b));
        Assert.Equal(a.AsSpan(0, a.Length - sealer.TagLength).ToArray(), b.AsSpan(0, b.Length - sealer.TagLength).ToArray());
    }

    [Fact]
    public void None_cipher_is_identity_with_aligned_length()
    {
        using var none = CipherAlgorithms.CreateNone();
        Assert.Equal(8, none.BlockSize);
        Assert.Equal(0, none.TagLength);
        Assert.True(none.LengthIsAligned);
        var packet = CipherTestSupport.BuildPacket(none, [1, 2, 3], new Random(1));
        Assert.Equal(0, packet.Length % 8);
        var copy = (byte[])packet.Clone();
        none.Seal(0, packet);
        Assert.Equal(copy, packet);
        Assert.Equal((uint)(packet.Length - 4), none.DecryptLength(0, packet));
        Assert.True(none.Open(0, packet));
        BinaryPrimitives.WriteUInt32BigEndian(packet, 1000);
        Assert.False(none.Open(0, packet));
    }

    [Theory]
    [InlineData("aes256-gcm@openssh.com", 64L << 30)]
    [InlineData("aes128-ctr", 64L << 30)]
    [InlineData("chacha20-poly1305@openssh.com", 1L << 30)]
    public void Rekey_limits_follow_OpenSSH(string name, long expected)
    {
        Assert.True(CipherAlgorithms.TryGetCipher(name, out var info));
        Assert.Equal(expected, CipherAlgorithms.RekeyAfterBytes(info));
    }

    [Fact]
    public void Create_rejects_wrong_key_material_lengths()
    {
        Assert.True(CipherAlgorithms.TryGetCipher("aes256-gcm@openssh.com", out var gcm));
        Assert.Throws<ArgumentException>(() => CipherAlgorithms.Create(gcm, null, new byte[16], new byte[12], default, true));
        Assert.Throws<ArgumentException>(() => CipherAlgorithms.Create(gcm, null, new byte[32], new byte[16], default, true));
    }
}
