using System.Numerics;
using System.Security.Cryptography;

namespace Gateway.Ssh.Kex;

/// <summary>
/// Parses and validates a P-256 public point in SEC1 uncompressed form (<c>04 ‖ X ‖ Y</c>), the only
/// form RFC 5656 peers may send (OpenSSH rejects compressed points). Validation is explicit
/// rather than left to whatever the platform's import happens to check.
/// </summary>
internal static class NistP256Point
{
    public const int EncodedLength = 65;

    private static readonly BigInteger P = Parse("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    private static readonly BigInteger B = Parse("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");

    public static ECParameters Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != EncodedLength)
            throw Fail($"P-256 public value must be {EncodedLength} bytes, got {encoded.Length}.");
        if (encoded[0] != 0x04)
            throw Fail("P-256 public value must be an uncompressed point.");
        var xBytes = encoded.Slice(1, 32);
        var yBytes = encoded.Slice(33, 32);
        var x = new BigInteger(xBytes, isUnsigned: true, isBigEndian: true);
        var y = new BigInteger(yBytes, isUnsigned: true, isBigEndian: true);
        if (x >= P || y >= P)
            throw Fail("P-256 coordinate is not reduced modulo p.");
        // y² = x³ − 3x + b (mod p). P-256 has cofactor 1, so being on the curve is enough.
        var left = BigInteger.ModPow(y, 2, P);
        var right = (BigInteger.ModPow(x, 3, P) - 3 * x + B) % P;
        if (right.Sign < 0) right += P;
        if (left != right)
            throw Fail("P-256 public value is not on the curve.");
        return new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = xBytes.ToArray(), Y = yBytes.ToArray() },
        };
    }

    public static byte[] Encode(ECParameters parameters)
    {
        var encoded = new byte[EncodedLength];
        encoded[0] = 0x04;
        var x = parameters.Q.X!;
        var y = parameters.Q.Y!;
        x.CopyTo(encoded, 1 + 32 - x.Length);
        y.CopyTo(encoded, 33 + 32 - y.Length);
        return encoded;
    }

    private static BigInteger Parse(string hex) => new(Convert.FromHexString(hex), isUnsigned: true, isBigEndian: true);

    private static SshProtocolException Fail(string message) => new(DisconnectReason.KeyExchangeFailed, message);
}
