using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Ssh.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Ssh.Tests.Crypto;

public class AesCtrTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Key_stream_matches_BouncyCastle_SIC_across_odd_boundaries(int keyLength)
    {
        var random = new Random(30 + keyLength);
        var key = new byte[keyLength];
        var iv = new byte[16];
        random.NextBytes(key);
        random.NextBytes(iv);
        // Start near a 64-bit boundary so the carry into the high half of the counter is covered.
        iv.AsSpan(8).Fill(0xff);
        iv[15] = 0xf0;

        var total = 100_000;
        var data = new byte[total];
        random.NextBytes(data);
        var expected = (byte[])data.Clone();
        var sic = new SicBlockCipher(new AesEngine());
        sic.Init(true, new ParametersWithIV(new KeyParameter(key), iv));
        for (var off = 0; off < total; off += 16)
            sic.ProcessBlock(expected, off, expected, off);

        using var stream = new AesCtrKeyStream(key, iv);
        var offset = 0;
        while (offset < total)
        {
            // Chunk sizes deliberately not multiples of 16 and sometimes larger than the buffer.
            var n = Math.Min(total - offset, random.Next(5) == 0 ? random.Next(8000, 20000) : random.Next(1, 100));
            stream.Transform(data.AsSpan(offset, n));
            offset += n;
        }
        Assert.Equal(expected, data);
    }

    [Theory]
    [InlineData("aes128-ctr", "hmac-sha2-256-etm@openssh.com")]
    [InlineData("aes256-ctr", "hmac-sha2-512-etm@openssh.com")]
    public void EtM_packets_match_an_independent_construction(string cipherName, string macName)
    {
        Assert.True(CipherAlgorithms.TryGetCipher(cipherName, out var cipher));
        Assert.True(CipherAlgorithms.TryGetMac(macName, out var mac));
        var random = new Random(31);
        var key = new byte[cipher.KeyLength];
        var iv = new byte[16];
        var macKey = new byte[mac.KeyLength];
        random.NextBytes(key);
        random.NextBytes(iv);
        random.NextBytes(macKey);
        using var sealer = CipherAlgorithms.Create(cipher, mac, key, iv, macKey, true);
        var sic = new SicBlockCipher(new AesEngine());
        sic.Init(true, new ParametersWithIV(new KeyParameter(key), iv));

        for (uint seq = 5; seq < 25; seq++)
        {
            var packet = CipherTestSupport.BuildPacket(sealer, CipherTestSupport.RandomBytes(random.Next(0, 3000), (int)seq), random);
            var expected = packet[..^sealer.TagLength];
            for (var off = 4; off < expected.Length; off += 16)
                sic.ProcessBlock(expected, off, expected, off);
            var macInput = new byte[4 + expected.Length];
            BinaryPrimitives.WriteUInt32BigEndian(macInput, seq);
            expected.CopyTo(macInput, 4);
            var expectedTag = mac.TagLength == 32 ? HMACSHA256.HashData(macKey, macInput) : HMACSHA512.HashData(macKey, macInput);

            sealer.Seal(seq, packet);
            Assert.Equal(expected, packet[..^sealer.TagLength]);
            Assert.Equal(expectedTag, packet[^sealer.TagLength..]);
        }
    }
}
