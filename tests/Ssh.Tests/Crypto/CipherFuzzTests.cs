using CsCheck;
using Gateway.Ssh.Crypto;

namespace Gateway.Ssh.Tests.Crypto;

public class CipherFuzzTests
{
    public static IEnumerable<object[]> Suites() => CipherTestSupport.Suites();

    [Theory]
    [MemberData(nameof(Suites))]
    public void Random_bytes_never_open_and_never_throw(string cipherName, string macName)
    {
        var (sealer, opener) = CipherTestSupport.CreatePair(cipherName, macName, seed: 40);
        using var _ = sealer;
        using var __ = opener;
        Gen.Select(Gen.UInt, Gen.Byte.Array[0, 300]).Sample((seq, bytes) =>
        {
            try
            {
                opener.DecryptLength(seq, bytes);
            }
            catch (SshProtocolException)
            {
                // Allowed: too few bytes for a length field.
            }
            return !opener.Open(seq, bytes);
        }, iter: 3000, threads: 1);
    }

    [Fact]
    public void None_cipher_rejects_inconsistent_random_packets_without_throwing()
    {
        using var none = CipherAlgorithms.CreateNone();
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            var ok = none.Open(0, bytes);
            return !ok || (bytes.Length >= 5 && (bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]) == bytes.Length - 4);
        }, iter: 3000, threads: 1);
    }
}
