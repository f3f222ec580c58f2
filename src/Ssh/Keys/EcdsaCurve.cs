using System.Security.Cryptography;

namespace Gateway.Ssh.Keys;

/// <summary>The three NIST curves of RFC 5656, with their SSH names, hash and field size.</summary>
public sealed class EcdsaCurve
{
    public static readonly EcdsaCurve P256 = new(SshKeyAlgorithms.EcdsaP256, "nistp256", ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256, 32, 256);
    public static readonly EcdsaCurve P384 = new(SshKeyAlgorithms.EcdsaP384, "nistp384", ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384, 48, 384);
    public static readonly EcdsaCurve P521 = new(SshKeyAlgorithms.EcdsaP521, "nistp521", ECCurve.NamedCurves.nistP521, HashAlgorithmName.SHA512, 66, 521);

    private EcdsaCurve(string keyType, string identifier, ECCurve curve, HashAlgorithmName hash, int fieldSize, int bits)
    {
        KeyType = keyType;
        Identifier = identifier;
        Curve = curve;
        Hash = hash;
        FieldSize = fieldSize;
        Bits = bits;
    }

    /// <summary>Key type and signature algorithm name, e.g. <c>ecdsa-sha2-nistp256</c>.</summary>
    public string KeyType { get; }
    /// <summary>The curve identifier inside the blob, e.g. <c>nistp256</c>.</summary>
    public string Identifier { get; }
    public ECCurve Curve { get; }
    public HashAlgorithmName Hash { get; }
    /// <summary>Bytes per coordinate / scalar.</summary>
    public int FieldSize { get; }
    public int Bits { get; }

    /// <summary>Length of the uncompressed point <c>04 ‖ X ‖ Y</c>.</summary>
    public int PointLength => 1 + 2 * FieldSize;

    public SshKeyKind Kind => Bits switch { 256 => SshKeyKind.EcdsaP256, 384 => SshKeyKind.EcdsaP384, _ => SshKeyKind.EcdsaP521 };

    public static EcdsaCurve? FromKeyType(string keyType) => keyType switch
    {
        SshKeyAlgorithms.EcdsaP256 => P256,
        SshKeyAlgorithms.EcdsaP384 => P384,
        SshKeyAlgorithms.EcdsaP521 => P521,
        _ => null,
    };

    public static EcdsaCurve? FromBits(int bits) => bits switch
    {
        256 => P256,
        384 => P384,
        521 => P521,
        _ => null,
    };

    public static EcdsaCurve FromKind(SshKeyKind kind) => kind switch
    {
        SshKeyKind.EcdsaP256 => P256,
        SshKeyKind.EcdsaP384 => P384,
        SshKeyKind.EcdsaP521 => P521,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an ECDSA key kind"),
    };
}
