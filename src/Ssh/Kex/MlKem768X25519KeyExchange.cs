using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Gateway.Ssh.Kex;

/// <summary>
/// mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex, OpenSSH kexmlkem768x25519.c) with
/// BouncyCastle's ML-KEM-768, since the platform MLKem needs OpenSSL 3.5.
/// C_INIT = encapsulation key (1184) ‖ X25519 public (32); S_REPLY = ciphertext (1088) ‖ X25519
/// public (32); K = SHA-256(ML-KEM secret ‖ X25519 secret), encoded as a string, not an mpint.
/// </summary>
internal sealed class MlKem768X25519KeyExchange : KeyExchange
{
    public const int EncapsulationKeyLength = 1184;
    public const int CiphertextLength = 1088;
    public const int ClientValueLength = EncapsulationKeyLength + X25519KeyPair.Size;
    public const int ServerValueLength = CiphertextLength + X25519KeyPair.Size;

    private static readonly SecureRandom Random = new();

    private readonly X25519KeyPair _x25519 = new();
    private MLKemPrivateKeyParameters? _decapsulationKey;

    public override string Name => KeyExchangeAlgorithms.MlKem768X25519Sha256;

    public override HashAlgorithmName HashAlgorithm => HashAlgorithmName.SHA256;

    public override byte[] CreateClientValue()
    {
        Claim();
        var generator = new MLKemKeyPairGenerator();
        generator.Init(new MLKemKeyGenerationParameters(Random, MLKemParameters.ml_kem_768));
        var pair = generator.GenerateKeyPair();
        _decapsulationKey = (MLKemPrivateKeyParameters)pair.Private;
        var encapsulationKey = ((MLKemPublicKeyParameters)pair.Public).GetEncoded();
        var value = new byte[ClientValueLength];
        encapsulationKey.CopyTo(value, 0);
        _x25519.PublicKey.CopyTo(value, EncapsulationKeyLength);
        return value;
    }

    public override (byte[] ServerValue, byte[] EncodedSharedSecret) RespondToClient(ReadOnlySpan<byte> clientValue)
    {
        Claim();
        if (clientValue.Length != ClientValueLength)
            throw Fail($"mlkem768x25519 client value must be {ClientValueLength} bytes, got {clientValue.Length}.");
        var encapsulationKey = clientValue[..EncapsulationKeyLength];
        if (!MlKemEncapsulationKey.IsValid768(encapsulationKey))
            throw Fail("ML-KEM-768 encapsulation key has a coefficient out of range.");

        var ciphertext = new byte[CiphertextLength];
        var kemSecret = new byte[32];
        try
        {
            var encapsulator = new MLKemEncapsulator(MLKemParameters.ml_kem_768);
            encapsulator.Init(new ParametersWithRandom(
                MLKemPublicKeyParameters.FromEncoding(MLKemParameters.ml_kem_768, encapsulationKey.ToArray()), Random));
            encapsulator.Encapsulate(ciphertext, 0, ciphertext.Length, kemSecret, 0, kemSecret.Length);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw Fail("ML-KEM-768 encapsulation key was rejected.", e);
        }

        var k = Combine(kemSecret, clientValue[EncapsulationKeyLength..]);
        var reply = new byte[ServerValueLength];
        ciphertext.CopyTo(reply, 0);
        _x25519.PublicKey.CopyTo(reply, CiphertextLength);
        return (reply, k);
    }

    public override byte[] CompleteAsClient(ReadOnlySpan<byte> serverValue)
    {
        var key = _decapsulationKey ?? throw new InvalidOperationException("CreateClientValue was not called.");
        if (serverValue.Length != ServerValueLength)
            throw Fail($"mlkem768x25519 server value must be {ServerValueLength} bytes, got {serverValue.Length}.");
        var kemSecret = new byte[32];
        var decapsulator = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
        decapsulator.Init(key);
        // ML-KEM decapsulation never fails: a bad ciphertext yields an unrelated (rejection) secret.
        decapsulator.Decapsulate(serverValue[..CiphertextLength].ToArray(), 0, CiphertextLength, kemSecret, 0, kemSecret.Length);
        return Combine(kemSecret, serverValue[CiphertextLength..]);
    }

    /// <summary>K = SHA-256(ML-KEM secret ‖ raw X25519 secret) as an SSH string; wipes the inputs.</summary>
    private byte[] Combine(byte[] kemSecret, ReadOnlySpan<byte> peerX25519)
    {
        byte[]? ecdhSecret = null;
        Span<byte> both = stackalloc byte[64];
        Span<byte> hash = stackalloc byte[32];
        try
        {
            ecdhSecret = _x25519.Agree(peerX25519);
            kemSecret.CopyTo(both);
            ecdhSecret.CopyTo(both[32..]);
            SHA256.HashData(both, hash);
            return SharedSecretEncoding.AsString(hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kemSecret);
            if (ecdhSecret is not null) CryptographicOperations.ZeroMemory(ecdhSecret);
            CryptographicOperations.ZeroMemory(both);
            CryptographicOperations.ZeroMemory(hash);
        }
    }

    private static SshProtocolException Fail(string message, Exception? inner = null) =>
        inner is null ? new(DisconnectReason.KeyExchangeFailed, message) : new(DisconnectReason.KeyExchangeFailed, message, inner);

    public override void Dispose()
    {
        _x25519.Dispose();
        _decapsulationKey = null;
        base.Dispose();
    }
}
