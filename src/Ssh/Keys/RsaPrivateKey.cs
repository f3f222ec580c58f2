using System.Security.Cryptography;

namespace Gateway.Ssh.Keys;

/// <summary>
/// An RSA private key backed by .NET's <see cref="RSA"/>. Signs <c>rsa-sha2-512</c> and
/// <c>rsa-sha2-256</c> (RFC 8332, PKCS#1 v1.5); SHA-1 <c>ssh-rsa</c> signatures are never produced.
/// </summary>
public sealed class RsaPrivateKey : SshPrivateKey
{
    private static readonly string[] Algorithms = [SshKeyAlgorithms.RsaSha512, SshKeyAlgorithms.RsaSha256];

    private readonly RSA _rsa;
    // .NET does not document RSA as thread-safe; a host key signs from many connections at once.
    private readonly Lock _gate = new();

    /// <summary>Takes ownership of <paramref name="rsa"/>, which must hold a private key.</summary>
    public RsaPrivateKey(RSA rsa)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        _rsa = rsa;
        var p = rsa.ExportParameters(false);
        PublicKeyTyped = new RsaPublicKey(p.Exponent, p.Modulus);
    }

    public static RsaPrivateKey Generate(int bits = 3072)
    {
        if (bits < 2048) throw new ArgumentOutOfRangeException(nameof(bits), bits, "RSA keys must have at least 2048 bits");
        return new RsaPrivateKey(RSA.Create(bits));
    }

    public RsaPublicKey PublicKeyTyped { get; }
    public override SshPublicKey PublicKey => PublicKeyTyped;
    public override IReadOnlyList<string> SignatureAlgorithms => Algorithms;

    internal RSAParameters ExportPrivateParameters()
    {
        lock (_gate)
            return _rsa.ExportParameters(true);
    }

    public override byte[] Sign(string signatureAlgorithm, ReadOnlySpan<byte> data)
    {
        var hash = signatureAlgorithm switch
        {
            SshKeyAlgorithms.RsaSha512 => HashAlgorithmName.SHA512,
            SshKeyAlgorithms.RsaSha256 => HashAlgorithmName.SHA256,
            _ => throw new ArgumentException($"an RSA key cannot make {signatureAlgorithm} signatures (only rsa-sha2-512, rsa-sha2-256)", nameof(signatureAlgorithm)),
        };
        byte[] signature;
        lock (_gate)
            signature = _rsa.SignData(data, hash, RSASignaturePadding.Pkcs1);
        return SshSignatureBlob.Encode(signatureAlgorithm, signature);
    }

    public override void Dispose()
    {
        _rsa.Dispose();
        base.Dispose();
    }
}
