using System.Numerics;
using System.Security.Cryptography;

namespace Gateway.Ssh.Keys;

/// <summary>
/// Builds the CRT form .NET's <see cref="RSA.ImportParameters"/> needs from the fields OpenSSH
/// stores (n, e, d, p, q, iqmp): .NET also wants d mod (p-1), d mod (q-1) and fixed field lengths.
/// </summary>
internal static class RsaParametersBuilder
{
    public static RSA FromComponents(byte[] n, byte[] e, byte[] d, byte[] p, byte[] q, byte[] iqmp)
    {
        var modulusLength = n.Length;
        var halfLength = (modulusLength + 1) / 2;
        var dInt = Unsigned(d);
        var pInt = Unsigned(p);
        var qInt = Unsigned(q);
        if (pInt <= BigInteger.One || qInt <= BigInteger.One)
            throw new FormatException("RSA private key has invalid primes");
        var parameters = new RSAParameters
        {
            Modulus = n,
            Exponent = e,
            D = Fixed(d, modulusLength),
            P = Fixed(p, halfLength),
            Q = Fixed(q, halfLength),
            DP = Fixed(ToBytes(dInt % (pInt - 1)), halfLength),
            DQ = Fixed(ToBytes(dInt % (qInt - 1)), halfLength),
            InverseQ = Fixed(iqmp, halfLength),
        };
        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(parameters);
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
            CryptographicOperations.ZeroMemory(parameters.P);
            CryptographicOperations.ZeroMemory(parameters.Q);
            CryptographicOperations.ZeroMemory(parameters.DP);
            CryptographicOperations.ZeroMemory(parameters.DQ);
            CryptographicOperations.ZeroMemory(parameters.InverseQ);
        }
    }

    private static BigInteger Unsigned(byte[] bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    private static byte[] ToBytes(BigInteger value) => value.ToByteArray(isUnsigned: true, isBigEndian: true);

    private static byte[] Fixed(byte[] value, int length)
    {
        var start = 0;
        while (start < value.Length && value[start] == 0) start++;
        var significant = value.Length - start;
        if (significant > length) throw new FormatException("RSA private key field is longer than the modulus allows");
        var result = new byte[length];
        value.AsSpan(start).CopyTo(result.AsSpan(length - significant));
        return result;
    }
}
