using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Ssh.Crypto;

namespace Gateway.Ssh.Tests.Crypto;

public class AesGcmTests
{
    [Theory]
    [InlineData("aes128-gcm@openssh.com")]
    [InlineData("aes256-gcm@openssh.com")]
    public void Nonce_is_fixed_field_and_invocation_counter_advanced_per_packet(string name)
    {
        Assert.True(CipherAlgorithms.TryGetCipher(name, out var info));
        var random = new Random(50);
        var key = new byte[info.KeyLength];
        random.NextBytes(key);
        // Counter just below a 32-bit boundary, so the increment must carry into the upper half.
        var iv = Convert.FromHexString("0a0b0c0d" + "00000001fffffffe");
        using var sealer = CipherAlgorithms.Create(info, null, key, iv, default, true);
        using var reference = new AesGcm(key, 16);

        for (var i = 0; i < 4; i++)
        {
            var packet = CipherTestSupport.BuildPacket(sealer, CipherTestSupport.RandomBytes(40, i), random);
            var plainBody = packet[4..^16];
            var nonce = (byte[])iv.Clone();
            BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), BinaryPrimitives.ReadUInt64BigEndian(iv.AsSpan(4)) + (ulong)i);
            var expectedBody = new byte[plainBody.Length];
            var expectedTag = new byte[16];
            reference.Encrypt(nonce, plainBody, expectedBody, expectedTag, packet[..4]);

            // The sequence number plays no part in GCM; pass something unrelated.
            sealer.Seal((uint)(1000 + 7 * i), packet);
            Assert.Equal(expectedBody, packet[4..^16]);
            Assert.Equal(expectedTag, packet[^16..]);
        }
    }

    [Fact]
    public void Length_field_is_authenticated_but_not_encrypted()
    {
        var (sealer, opener) = CipherTestSupport.CreatePair("aes256-gcm@openssh.com", "", 51);
        using var _ = sealer;
        using var __ = opener;
        var packet = CipherTestSupport.BuildPacket(sealer, [1, 2, 3], new Random(52));
        var length = packet[..4];
        sealer.Seal(0, packet);
        Assert.Equal(length, packet[..4]);
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(length), opener.DecryptLength(0, packet));
    }
}
