using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Keys;

/// <summary>Decodes <c>*-cert-v01@openssh.com</c> blobs exactly as laid out in PROTOCOL.certkeys.</summary>
internal static class SshCertificateParser
{
    /// <summary>OpenSSH's SSHKEY_CERT_MAX_PRINCIPALS.</summary>
    public const int MaxPrincipals = 256;
    /// <summary>Bound on critical options / extensions per certificate.</summary>
    public const int MaxOptions = 64;

    public static SshCertificate Parse(ReadOnlySpan<byte> blob, int depth)
    {
        var reader = new SshReader(blob);
        var type = reader.ReadString();
        var plainType = type[..^SshKeyAlgorithms.CertificateSuffix.Length];
        if (plainType is not (SshKeyAlgorithms.Ed25519 or SshKeyAlgorithms.Rsa) && EcdsaCurve.FromKeyType(plainType) is null)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"unsupported certificate type '{PeerText.Sanitize(type)}'");
        var nonce = reader.ReadBinary().ToArray();
        var key = SshPublicKeyParser.ReadPlainKeyFields(plainType, blob, ref reader);
        var serial = reader.ReadUInt64();
        var certType = reader.ReadUInt32();
        if (certType is not ((uint)SshCertificateType.User or (uint)SshCertificateType.Host))
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"unknown certificate type {certType}");
        var keyId = reader.ReadString();
        var principals = ReadPrincipals(reader.ReadBinary());
        var validAfter = reader.ReadUInt64();
        var validBefore = reader.ReadUInt64();
        var criticalOptions = ReadCriticalOptions(reader.ReadBinary());
        var extensions = ReadExtensions(reader.ReadBinary());
        reader.ReadBinary(); // reserved
        var signatureKey = SshPublicKeyParser.Parse(reader.ReadBinary(), depth + 1);
        var signedLength = reader.Position;
        var signature = reader.ReadBinary().ToArray();
        reader.EnsureEnd();
        var signatureAlgorithm = SshSignatureBlob.ReadAlgorithm(signature);
        return new SshCertificate(blob.ToArray(), type, nonce, key, serial, (SshCertificateType)certType, keyId, principals,
            validAfter, validBefore, criticalOptions, extensions, signatureKey, signedLength, signature, signatureAlgorithm);
    }

    private static string[] ReadPrincipals(ReadOnlySpan<byte> packed)
    {
        var list = new List<string>();
        var reader = new SshReader(packed);
        while (!reader.IsEmpty)
        {
            if (list.Count == MaxPrincipals)
                throw new SshProtocolException(DisconnectReason.ProtocolError, $"certificate has more than {MaxPrincipals} principals");
            list.Add(reader.ReadString());
        }
        return [.. list];
    }

    /// <summary>
    /// Options are <c>(string name, string data)</c> pairs that must be sorted and unique (PROTOCOL.certkeys);
    /// data holds nothing or one string. Anything else is refused here, so the validator sees only
    /// well-formed values.
    /// </summary>
    private static Dictionary<string, string?> ReadCriticalOptions(ReadOnlySpan<byte> packed)
    {
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        var reader = new SshReader(packed);
        string? previous = null;
        while (!reader.IsEmpty)
        {
            var name = ReadOptionName(ref reader, ref previous, options.Count, "critical option");
            var data = reader.ReadBinary();
            string? value = null;
            if (!data.IsEmpty)
            {
                var inner = new SshReader(data);
                value = inner.ReadString();
                inner.EnsureEnd();
            }
            options.Add(name, value);
        }
        return options;
    }

    private static string[] ReadExtensions(ReadOnlySpan<byte> packed)
    {
        var names = new List<string>();
        var reader = new SshReader(packed);
        string? previous = null;
        while (!reader.IsEmpty)
        {
            names.Add(ReadOptionName(ref reader, ref previous, names.Count, "extension"));
            reader.ReadBinary(); // extension data: unused by every extension we know
        }
        return [.. names];
    }

    private static string ReadOptionName(ref SshReader reader, ref string? previous, int count, string what)
    {
        if (count == MaxOptions)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"certificate has more than {MaxOptions} {what}s");
        var name = reader.ReadString();
        if (previous is not null && string.CompareOrdinal(previous, name) >= 0)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"certificate {what}s are not sorted and unique at '{PeerText.Sanitize(name)}'");
        previous = name;
        return name;
    }
}
