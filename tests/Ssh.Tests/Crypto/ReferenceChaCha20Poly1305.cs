using System.Buffers.Binary;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Ssh.Tests.Crypto;

/// <summary>
/// chacha20-poly1305@openssh.com written the straightforward way with BouncyCastle only
/// (DJB ChaChaEngine + Poly1305), following PROTOCOL.chacha20poly1305 step by step.
/// </summary>
internal static class ReferenceChaCha20Poly1305
{
    /// <summary>Seals length ‖ body in place and returns the tag.</summary>
    public static byte[] Seal(byte[] key64, uint seq, byte[] lengthAndBody)
    {
        var k2 = key64[..32];
        var k1 = key64[32..];
        var nonce = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(nonce, seq);

        var lengthEngine = new ChaChaEngine(20);
        lengthEngine.Init(true, new ParametersWithIV(new KeyParameter(k1), nonce));
        lengthEngine.ProcessBytes(lengthAndBody, 0, 4, lengthAndBody, 0);

        var bodyEngine = new ChaChaEngine(20);
        bodyEngine.Init(true, new ParametersWithIV(new KeyParameter(k2), nonce));
        var block0 = new byte[64];
        bodyEngine.ProcessBytes(new byte[64], 0, 64, block0, 0);
        bodyEngine.ProcessBytes(lengthAndBody, 4, lengthAndBody.Length - 4, lengthAndBody, 4);

        var poly = new Org.BouncyCastle.Crypto.Macs.Poly1305();
        poly.Init(new KeyParameter(block0, 0, 32));
        poly.BlockUpdate(lengthAndBody, 0, lengthAndBody.Length);
        var tag = new byte[16];
        poly.DoFinal(tag, 0);
        return tag;
    }

    public static byte[] BcPoly1305(byte[] key, byte[] message)
    {
        var poly = new Org.BouncyCastle.Crypto.Macs.Poly1305();
        poly.Init(new KeyParameter(key));
        poly.BlockUpdate(message, 0, message.Length);
        var tag = new byte[16];
        poly.DoFinal(tag, 0);
        return tag;
    }
}
