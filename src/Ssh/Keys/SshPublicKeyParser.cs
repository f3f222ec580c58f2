using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Keys;

/// <summary>Decodes public key blobs. Every failure is an <see cref="SshProtocolException"/>.</summary>
internal static class SshPublicKeyParser
{
    public static SshPublicKey Parse(ReadOnlySpan<byte> blob, int certificateDepth = 0)
    {
        var reader = new SshReader(blob);
        var type = reader.ReadString();
        if (type.EndsWith(SshKeyAlgorithms.CertificateSuffix, StringComparison.Ordinal))
        {
            // A CA key that is itself a certificate is refused by the validator, but its own CA must be plain,
            // which bounds the recursion.
            if (certificateDepth >= 2)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "certificate nesting is too deep");
            return SshCertificateParser.Parse(blob, certificateDepth);
        }
        var key = ReadPlainKeyFields(type, blob, ref reader);
        reader.EnsureEnd();
        return key;
    }

    /// <summary>
    /// Reads the key fields that follow the type string of a plain key blob. The fields must be in
    /// canonical form (RFC 4251 §5: no superfluous leading zeros in an mpint), so a key has exactly
    /// one blob and blob equality is key equality.
    /// </summary>
    public static SshPublicKey ReadPlainKeyFields(string type, ReadOnlySpan<byte> source, ref SshReader reader)
    {
        var start = reader.Position;
        var key = ReadFields(type, ref reader);
        var consumed = source[start..reader.Position];
        var canonical = key.Blob.Span[(4 + type.Length)..];
        if (!consumed.SequenceEqual(canonical))
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"{type} key fields are not canonically encoded");
        return key;
    }

    private static SshPublicKey ReadFields(string type, ref SshReader reader)
    {
        switch (type)
        {
            case SshKeyAlgorithms.Ed25519:
                return new Ed25519PublicKey(reader.ReadBinary());
            case SshKeyAlgorithms.Rsa:
            {
                var e = reader.ReadMPIntUnsigned();
                var n = reader.ReadMPIntUnsigned();
                return new RsaPublicKey(e, n);
            }
            default:
                var curve = EcdsaCurve.FromKeyType(type)
                    ?? throw new SshProtocolException(DisconnectReason.ProtocolError, $"unsupported public key type '{PeerText.Sanitize(type)}'");
                var identifier = reader.ReadString();
                if (identifier != curve.Identifier)
                    throw new SshProtocolException(DisconnectReason.ProtocolError, $"{type} key names curve '{PeerText.Sanitize(identifier)}'");
                return new EcdsaPublicKey(curve, reader.ReadBinary());
        }
    }
}
