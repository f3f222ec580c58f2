using System.Security.Cryptography;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Keys;

/// <summary>An ECDSA P-256/384/521 private key backed by .NET's <see cref="ECDsa"/>.</summary>
public sealed class EcdsaPrivateKey : SshPrivateKey
{
    private readonly ECDsa _ecdsa;
    private readonly string[] _algorithms;
    // .NET does not document ECDsa as thread-safe; a host key signs from many connections at once.
    private readonly Lock _gate = new();

    /// <summary>Takes ownership of <paramref name="ecdsa"/>, which must hold a private key on P-256, P-384 or P-521.</summary>
    public EcdsaPrivateKey(ECDsa ecdsa)
    {
        ArgumentNullException.ThrowIfNull(ecdsa);
        var curve = EcdsaCurve.FromBits(ecdsa.KeySize)
            ?? throw new ArgumentException($"unsupported ECDSA key size {ecdsa.KeySize}", nameof(ecdsa));
        _ecdsa = ecdsa;
        Curve = curve;
        var p = ecdsa.ExportParameters(false);
        var point = new byte[curve.PointLength];
        point[0] = 0x04;
        p.Q.X!.CopyTo(point.AsSpan(1 + curve.FieldSize - p.Q.X!.Length));
        p.Q.Y!.CopyTo(point.AsSpan(1 + 2 * curve.FieldSize - p.Q.Y!.Length));
        PublicKeyTyped = new EcdsaPublicKey(curve, point);
        _algorithms = [curve.KeyType];
    }

    public static EcdsaPrivateKey Generate(EcdsaCurve curve) => new(ECDsa.Create(curve.Curve));

    public EcdsaCurve Curve { get; }
    public EcdsaPublicKey PublicKeyTyped { get; }
    public override SshPublicKey PublicKey => PublicKeyTyped;
    public override IReadOnlyList<string> SignatureAlgorithms => _algorithms;

    /// <summary>The private scalar d, left-padded to the field size.</summary>
    internal byte[] ExportPrivateScalar()
    {
        lock (_gate)
        {
            var d = _ecdsa.ExportParameters(true).D!;
            if (d.Length == Curve.FieldSize) return d;
            var padded = new byte[Curve.FieldSize];
            d.CopyTo(padded.AsSpan(Curve.FieldSize - d.Length));
            CryptographicOperations.ZeroMemory(d);
            return padded;
        }
    }

    public override byte[] Sign(string signatureAlgorithm, ReadOnlySpan<byte> data)
    {
        if (signatureAlgorithm != Curve.KeyType)
            throw new ArgumentException($"a {Curve.KeyType} key cannot make {signatureAlgorithm} signatures", nameof(signatureAlgorithm));
        byte[] fixedSignature;
        lock (_gate)
            fixedSignature = _ecdsa.SignData(data, Curve.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var r = fixedSignature.AsSpan(0, Curve.FieldSize).ToArray();
        var s = fixedSignature.AsSpan(Curve.FieldSize, Curve.FieldSize).ToArray();
        var inner = SshMessageBuilder.Build(w =>
        {
            w.WriteMPInt(r);
            w.WriteMPInt(s);
        });
        return SshSignatureBlob.Encode(Curve.KeyType, inner);
    }

    public override void Dispose()
    {
        _ecdsa.Dispose();
        base.Dispose();
    }
}
