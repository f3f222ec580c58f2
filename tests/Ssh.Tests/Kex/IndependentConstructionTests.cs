using System.Buffers;
using System.Security.Cryptography;
using Gateway.Ssh.Kex;
using Gateway.Ssh.Wire;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Gateway.Ssh.Tests.Kex;

/// <summary>Plays the peer with BouncyCastle / .NET directly and checks K against the specs.</summary>
public class IndependentConstructionTests
{
    private static readonly SecureRandom Random = new();

    [Fact]
    public void Curve25519_K_is_the_raw_X25519_output_as_mpint()
    {
        using var client = KeyExchangeAlgorithms.Create("curve25519-sha256");
        var qc = client.CreateClientValue();
        var server = new X25519PrivateKeyParameters(Random);
        var raw = new byte[32];
        var agreement = new X25519Agreement();
        agreement.Init(server);
        agreement.CalculateAgreement(new X25519PublicKeyParameters(qc), raw, 0);

        var k = client.CompleteAsClient(server.GeneratePublicKey().GetEncoded());
        Assert.Equal(MPInt(raw), k);
    }

    [Fact]
    public void MlKem_hybrid_K_is_sha256_of_both_secrets_as_string()
    {
        using var client = KeyExchangeAlgorithms.Create("mlkem768x25519-sha256");
        var init = client.CreateClientValue();
        Assert.Equal(1184 + 32, init.Length);

        var encapsulator = new MLKemEncapsulator(MLKemParameters.ml_kem_768);
        encapsulator.Init(MLKemPublicKeyParameters.FromEncoding(MLKemParameters.ml_kem_768, init[..1184]));
        var ciphertext = new byte[1088];
        var kemSecret = new byte[32];
        encapsulator.Encapsulate(ciphertext, 0, 1088, kemSecret, 0, 32);

        var server = new X25519PrivateKeyParameters(Random);
        var raw = new byte[32];
        var agreement = new X25519Agreement();
        agreement.Init(server);
        agreement.CalculateAgreement(new X25519PublicKeyParameters(init[1184..]), raw, 0);

        var reply = ciphertext.Concat(server.GeneratePublicKey().GetEncoded()).ToArray();
        var k = client.CompleteAsClient(reply);
        var expected = SHA256.HashData(kemSecret.Concat(raw).ToArray());
        Assert.Equal(new byte[] { 0, 0, 0, 32 }.Concat(expected).ToArray(), k);
    }

    [Fact]
    public void MlKem_hybrid_server_reply_decapsulates_with_BouncyCastle()
    {
        using var server = KeyExchangeAlgorithms.Create("mlkem768x25519-sha256");
        var generator = new Org.BouncyCastle.Crypto.Generators.MLKemKeyPairGenerator();
        generator.Init(new MLKemKeyGenerationParameters(Random, MLKemParameters.ml_kem_768));
        var pair = generator.GenerateKeyPair();
        var clientX = new X25519PrivateKeyParameters(Random);
        var init = ((MLKemPublicKeyParameters)pair.Public).GetEncoded().Concat(clientX.GeneratePublicKey().GetEncoded()).ToArray();

        var (reply, k) = server.RespondToClient(init);
        Assert.Equal(1088 + 32, reply.Length);
        var decapsulator = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
        decapsulator.Init(pair.Private);
        var kemSecret = new byte[32];
        decapsulator.Decapsulate(reply, 0, 1088, kemSecret, 0, 32);
        var raw = new byte[32];
        var agreement = new X25519Agreement();
        agreement.Init(clientX);
        agreement.CalculateAgreement(new X25519PublicKeyParameters(reply[1088..]), raw, 0);
        var expected = SHA256.HashData(kemSecret.Concat(raw).ToArray());
        Assert.Equal(new byte[] { 0, 0, 0, 32 }.Concat(expected).ToArray(), k);
    }

    [Fact]
    public void Ecdh_K_is_the_x_coordinate_as_mpint()
    {
        using var client = KeyExchangeAlgorithms.Create("ecdh-sha2-nistp256");
        var qc = client.CreateClientValue();
        Assert.Equal(65, qc.Length);
        Assert.Equal(4, qc[0]);
        using var server = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var clientKey = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = qc[1..33], Y = qc[33..] },
        });
        var x = server.DeriveRawSecretAgreement(clientKey.PublicKey);
        var p = server.ExportParameters(false);
        var qs = new byte[] { 4 }.Concat(p.Q.X!).Concat(p.Q.Y!).ToArray();
        Assert.Equal(MPInt(x), client.CompleteAsClient(qs));
    }

    private static byte[] MPInt(byte[] magnitude)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new SshWriter(buffer).WriteMPInt(magnitude);
        return buffer.WrittenSpan.ToArray();
    }
}
