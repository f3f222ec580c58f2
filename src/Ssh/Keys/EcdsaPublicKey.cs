using System.Security.Cryptography;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Keys;

/// <summary>
/// An <c>ecdsa-sha2-nistp*</c> public key (RFC 5656 §3.1): <c>string type, string curve, string Q</c>
/// with Q an uncompressed point. Signatures are <c>string(mpint r ‖ mpint s)</c>.
/// </summary>
public sealed class EcdsaPublicKey : SshPublicKey
{
    private readonly byte[] _point;
    private readonly byte[] _blob;
    private readonly ECParameters _parameters;

    /// <summary>Builds the key from an uncompressed point; the point is validated to lie on the curve.</summary>
    public EcdsaPublicKey(EcdsaCurve curve, ReadOnlySpan<byte> uncompressedPoint)
    {
        Curve = curve;
        if (uncompressedPoint.Length != curve.PointLength || uncompressedPoint[0] != 0x04)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"{curve.KeyType} public key is not an uncompressed {curve.PointLength}-byte point");
        _point = uncompressedPoint.ToArray();
        _parameters = new ECParameters
        {
            Curve = curve.Curve,
            Q = new ECPoint
            {
                X = _point.AsSpan(1, curve.FieldSize).ToArray(),
                Y = _point.AsSpan(1 + curve.FieldSize, curve.FieldSize).ToArray(),
            },
        };
        try
        {
            // Importing validates that Q lies on the curve, as OpenSSH's sshkey_ec_validate_public does.
            using var probe = ECDsa.Create(_parameters);
        }
        catch (CryptographicException e)
        {
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"{curve.KeyType} public key is not a valid curve point", e);
        }
        var point = _point;
        _blob = SshMessageBuilder.Build(w =>
        {
            w.WriteString(curve.KeyType);
            w.WriteString(curve.Identifier);
            w.WriteBinary(point);
        });
    }

    public EcdsaCurve Curve { get; }
    public override string KeyType => Curve.KeyType;
    public override ReadOnlyMemory<byte> Blob => _blob;

    /// <summary>The uncompressed point <c>04 ‖ X ‖ Y</c>.</summary>
    public ReadOnlyMemory<byte> Point => _point;

    internal ECParameters Parameters => _parameters;

    public override bool Verify(string signatureAlgorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signatureAlgorithm != Curve.KeyType) return false;
        if (!SshSignatureBlob.TryDecode(signature, Curve.KeyType, out var inner)) return false;
        var fixedSignature = new byte[2 * Curve.FieldSize];
        try
        {
            var reader = new SshReader(inner);
            var r = reader.ReadMPIntUnsigned();
            var s = reader.ReadMPIntUnsigned();
            reader.EnsureEnd();
            if (r.IsEmpty || s.IsEmpty || r.Length > Curve.FieldSize || s.Length > Curve.FieldSize) return false;
            r.CopyTo(fixedSignature.AsSpan(Curve.FieldSize - r.Length, r.Length));
            s.CopyTo(fixedSignature.AsSpan(2 * Curve.FieldSize - s.Length, s.Length));
        }
        catch (SshProtocolException)
        {
            return false;
        }
        try
        {
            // A fresh object per call keeps verification thread-safe for shared (CA) keys.
            using var ecdsa = ECDsa.Create(_parameters);
            return ecdsa.VerifyData(data, fixedSignature, Curve.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
