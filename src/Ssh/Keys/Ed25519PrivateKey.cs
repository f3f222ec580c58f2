using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Gateway.Ssh.Keys;

/// <summary>An Ed25519 private key (BouncyCastle: .NET 10 has no Ed25519).</summary>
public sealed class Ed25519PrivateKey : SshPrivateKey
{
    private static readonly string[] Algorithms = [SshKeyAlgorithms.Ed25519];

    private readonly Ed25519PrivateKeyParameters _key;
    private readonly byte[] _seed;

    /// <param name="seed">The 32-byte private seed (the first half of OpenSSH's 64-byte secret).</param>
    public Ed25519PrivateKey(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Ed25519PrivateKeyParameters.KeySize)
            throw new ArgumentException($"ed25519 seed must be {Ed25519PrivateKeyParameters.KeySize} bytes", nameof(seed));
        _seed = seed.ToArray();
        _key = new Ed25519PrivateKeyParameters(_seed);
        PublicKeyTyped = new Ed25519PublicKey(_key.GeneratePublicKey().GetEncoded());
    }

    public static Ed25519PrivateKey Generate()
    {
        Span<byte> seed = stackalloc byte[Ed25519PrivateKeyParameters.KeySize];
        RandomNumberGenerator.Fill(seed);
        try
        {
            return new Ed25519PrivateKey(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    public Ed25519PublicKey PublicKeyTyped { get; }
    public override SshPublicKey PublicKey => PublicKeyTyped;
    public override IReadOnlyList<string> SignatureAlgorithms => Algorithms;

    /// <summary>The 32-byte seed; callers must not keep it longer than needed.</summary>
    internal ReadOnlySpan<byte> Seed => _seed;

    public override byte[] Sign(string signatureAlgorithm, ReadOnlySpan<byte> data)
    {
        if (signatureAlgorithm != SshKeyAlgorithms.Ed25519)
            throw new ArgumentException($"an ed25519 key cannot make {signatureAlgorithm} signatures", nameof(signatureAlgorithm));
        var signer = new Ed25519Signer();
        signer.Init(true, _key);
        signer.BlockUpdate(data);
        return SshSignatureBlob.Encode(SshKeyAlgorithms.Ed25519, signer.GenerateSignature());
    }

    public override void Dispose()
    {
        CryptographicOperations.ZeroMemory(_seed);
        base.Dispose();
    }
}
