using System.Buffers.Binary;
using System.Text;
using Gateway.Ssh.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Ssh.Tests.Crypto;

public class ChaCha20Poly1305Tests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Hybrid_is_bit_identical_to_pure_BouncyCastle_reference(bool platformKeyStream)
    {
        var random = new Random(20);
        Assert.True(CipherAlgorithms.TryGetCipher("chacha20-poly1305@openssh.com", out var info));
        for (var trial = 0; trial < 200; trial++)
        {
            var key = new byte[64];
            random.NextBytes(key);
            // Sequence numbers near the 32-bit edges exercise the nonce byte order.
            var seq = trial switch
            {
                0 => 0u,
                1 => uint.MaxValue,
                2 => 0x01020304u,
                _ => (uint)random.NextInt64(0, 1L << 32),
            };
            var bodyLength = 8 * (1 + random.Next(trial < 150 ? 40 : 4200));
            var packet = new byte[4 + bodyLength + 16];
            BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)bodyLength);
            random.NextBytes(packet.AsSpan(4, bodyLength));

            var reference = packet[..^16];
            var referenceTag = ReferenceChaCha20Poly1305.Seal(key, seq, reference);

            using var sealer = new ChaCha20Poly1305Cipher(key, platformKeyStream);
            using var opener = new ChaCha20Poly1305Cipher(key, !platformKeyStream);
            var plain = packet[..^16];
            sealer.Seal(seq, packet);
            Assert.Equal(reference, packet[..^16]);
            Assert.Equal(referenceTag, packet[^16..]);

            Assert.Equal((uint)bodyLength, opener.DecryptLength(seq, packet));
            Assert.True(opener.Open(seq, packet));
            Assert.Equal(plain, packet[..^16]);
        }
    }

    [Fact]
    public void Matches_the_worked_example_of_draft_ietf_sshm_chacha20_poly1305()
    {
        // draft-ietf-sshm-chacha20-poly1305-02 Appendix A: 64-byte key, sequence number 7,
        // packet_length 0x48, and the expected encrypted length, ciphertext and tag.
        var key = Convert.FromHexString(
            "8bbff6855fc102338c373e73aac0c914f076a905b2444a32eecaffeae22becc5" +
            "e9b7a7a5825a8249346ec1c28301cf394543fc7569887d76e168f37562ac0740");
        var body = Convert.FromHexString(
            "065e000000000000" + "00384c6f72656d20" + "697073756d20646f" + "6c6f722073697420" +
            "616d65742c20636f" + "6e73656374657475" + "7220616469706973" + "6963696e6720656c" +
            "69744e43e804dc6c");
        var packet = new byte[4 + body.Length + 16];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)body.Length);
        body.CopyTo(packet, 4);

        Assert.True(CipherAlgorithms.TryGetCipher("chacha20-poly1305@openssh.com", out var info));
        using var sealer = CipherAlgorithms.Create(info, null, key, default, default, true);
        sealer.Seal(7, packet);
        Assert.Equal("2c3ecce4", Convert.ToHexStringLower(packet[..4]));
        Assert.Equal(
            "a5bc05895bf07a7b" + "a956b6c68829ac7c" + "83b780b7000ecde7" + "45afc705bbc378ce" +
            "03a280236b87b53b" + "ed5839662302b164" + "b6286a48cd1e0971" + "38e3cb909b8b2b82" +
            "9dd18d2a35ff82d9",
            Convert.ToHexStringLower(packet[4..^16]));
        Assert.Equal("95349e855bf02c298ef775f2d1a7e8b8", Convert.ToHexStringLower(packet[^16..]));

        using var opener = CipherAlgorithms.Create(info, null, key, default, default, false);
        Assert.Equal(0x48u, opener.DecryptLength(7, packet));
        Assert.True(opener.Open(7, packet));
        Assert.Equal(body, packet[4..^16]);
    }

    [Fact]
    public void Block_function_matches_RFC8439_vector_and_BouncyCastle()
    {
        // RFC 8439 §2.3.2: key 00..1f, block counter 1, nonce 00000009 0000004a 00000000. In the
        // DJB layout the first nonce word becomes the high half of the 64-bit counter.
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var words = new uint[8];
        ChaCha20Block.LoadKey(key, words);
        var block = new byte[64];
        ChaCha20Block.Compute(words, (0x09000000UL << 32) | 1, [0, 0, 0, 0x4a, 0, 0, 0, 0], block);
        Assert.Equal(
            "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
            "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
            Convert.ToHexStringLower(block));

        var random = new Random(21);
        for (var i = 0; i < 50; i++)
        {
            random.NextBytes(key);
            var nonce = new byte[8];
            random.NextBytes(nonce);
            var engine = new ChaChaEngine(20);
            engine.Init(true, new ParametersWithIV(new KeyParameter(key), nonce));
            var expected = new byte[64];
            engine.ProcessBytes(new byte[64], 0, 64, expected, 0);
            ChaCha20Block.LoadKey(key, words);
            ChaCha20Block.Compute(words, 0, nonce, block);
            Assert.Equal(expected, block);
        }
    }

    [Fact]
    public void Poly1305_matches_RFC8439_vector()
    {
        var key = Convert.FromHexString("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        var tag = new byte[16];
        Poly1305.Compute(key, Encoding.ASCII.GetBytes("Cryptographic Forum Research Group"), tag, vectorise: false);
        Assert.Equal("a8061dc1305136c6c22b8baf0c0127a9", Convert.ToHexStringLower(tag));
    }

    public static IEnumerable<object[]> Poly1305Paths() =>
        Poly1305Avx2.IsSupported ? [[false], [true]] : [[false]];

    [Theory]
    [MemberData(nameof(Poly1305Paths))]
    public void Poly1305_matches_BouncyCastle_including_carry_edge_cases(bool vectorise)
    {
        var random = new Random(22);
        var tag = new byte[16];
        for (var trial = 0; trial < 900; trial++)
        {
            var key = new byte[32];
            // Short lengths of every residue, then long ones that run the four-lane path.
            var message = new byte[trial < 600 ? trial % 300 : random.Next(256, 6000)];
            switch (trial % 3)
            {
                case 0:
                    random.NextBytes(key);
                    random.NextBytes(message);
                    break;
                case 1:
                    // All-ones inputs maximise every limb and carry.
                    key.AsSpan().Fill(0xff);
                    message.AsSpan().Fill(0xff);
                    break;
                default:
                    random.NextBytes(key);
                    message.AsSpan().Fill(0xff);
                    key.AsSpan(16).Fill(0xff);
                    break;
            }
            Poly1305.Compute(key, message, tag, vectorise);
            Assert.Equal(ReferenceChaCha20Poly1305.BcPoly1305(key, message), tag);
        }
    }

    [Fact]
    public void Length_is_encrypted_and_depends_on_sequence_number()
    {
        Assert.True(CipherAlgorithms.TryGetCipher("chacha20-poly1305@openssh.com", out var info));
        var key = CipherTestSupport.RandomBytes(64, 23);
        using var sealer = CipherAlgorithms.Create(info, null, key, default, default, true);
        using var opener = CipherAlgorithms.Create(info, null, key, default, default, false);
        var a = CipherTestSupport.BuildPacket(sealer, [5, 6, 7], new Random(24));
        var b = (byte[])a.Clone();
        sealer.Seal(0, a);
        sealer.Seal(1, b);
        Assert.NotEqual(a[..4], b[..4]);
        Assert.NotEqual((uint)(a.Length - 20), BinaryPrimitives.ReadUInt32BigEndian(a));
        Assert.Equal((uint)(a.Length - 20), opener.DecryptLength(0, a));
        Assert.NotEqual((uint)(a.Length - 20), opener.DecryptLength(1, a));
    }
}
