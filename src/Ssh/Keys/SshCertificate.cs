namespace Gateway.Ssh.Keys;

/// <summary>
/// An OpenSSH user or host certificate (PROTOCOL.certkeys), e.g. <c>ssh-ed25519-cert-v01@openssh.com</c>.
/// Parsing checks only the structure; trust (CA signature, validity, principals, options) is
/// decided by <see cref="SshCertificateValidator"/>.
/// </summary>
public sealed class SshCertificate : SshPublicKey
{
    /// <summary>Value of valid_before meaning "forever".</summary>
    public const ulong Forever = ulong.MaxValue;

    private readonly byte[] _blob;
    private readonly int _signedLength;
    private readonly byte[] _signature;

    internal SshCertificate(
        byte[] blob, string keyType, byte[] nonce, SshPublicKey key, ulong serial, SshCertificateType type, string keyId,
        IReadOnlyList<string> principals, ulong validAfter, ulong validBefore,
        IReadOnlyDictionary<string, string?> criticalOptions, IReadOnlyList<string> extensions,
        SshPublicKey signatureKey, int signedLength, byte[] signature, string signatureAlgorithm)
    {
        _blob = blob;
        KeyType = keyType;
        Nonce = nonce;
        Key = key;
        Serial = serial;
        Type = type;
        KeyId = keyId;
        Principals = principals;
        ValidAfterRaw = validAfter;
        ValidBeforeRaw = validBefore;
        CriticalOptions = criticalOptions;
        Extensions = extensions;
        SignatureKey = signatureKey;
        _signedLength = signedLength;
        _signature = signature;
        SignatureAlgorithm = signatureAlgorithm;
    }

    public override string KeyType { get; }
    public override ReadOnlyMemory<byte> Blob => _blob;

    /// <summary>The certified plain key.</summary>
    public SshPublicKey Key { get; }
    public ReadOnlyMemory<byte> Nonce { get; }
    public ulong Serial { get; }
    public SshCertificateType Type { get; }
    public string KeyId { get; }
    public IReadOnlyList<string> Principals { get; }

    /// <summary>valid_after as seconds since the Unix epoch (0 = always valid from the start).</summary>
    public ulong ValidAfterRaw { get; }
    /// <summary>valid_before as seconds since the Unix epoch (<see cref="Forever"/> = no end).</summary>
    public ulong ValidBeforeRaw { get; }

    /// <summary>Start of validity, or null when unbounded (0).</summary>
    public DateTimeOffset? ValidAfter => ValidAfterRaw == 0 ? null : ToDate(ValidAfterRaw);
    /// <summary>End of validity (exclusive), or null when the certificate never expires.</summary>
    public DateTimeOffset? ValidBefore => ValidBeforeRaw == Forever ? null : ToDate(ValidBeforeRaw);

    /// <summary>Critical options by name; the value is the decoded string, or null when the option has no data.</summary>
    public IReadOnlyDictionary<string, string?> CriticalOptions { get; }
    /// <summary>Extension names, e.g. <c>permit-port-forwarding</c>, <c>permit-pty</c>.</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <summary>The CA key that signed the certificate.</summary>
    public SshPublicKey SignatureKey { get; }
    /// <summary>Algorithm inside the CA signature, e.g. <c>ssh-ed25519</c>, <c>rsa-sha2-512</c>.</summary>
    public string SignatureAlgorithm { get; }

    /// <summary>The bytes covered by the CA signature: from the type string through the signature key.</summary>
    public ReadOnlyMemory<byte> SignedData => _blob.AsMemory(0, _signedLength);
    /// <summary>The CA signature blob (<c>string algorithm ‖ string sig</c>).</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    public bool HasExtension(string name) => Extensions.Contains(name, StringComparer.Ordinal);

    /// <summary>
    /// Verifies a signature made by the certified key. <paramref name="signatureAlgorithm"/> may be the
    /// certificate form (<c>rsa-sha2-512-cert-v01@openssh.com</c>) or the plain one (<c>rsa-sha2-512</c>).
    /// </summary>
    public override bool Verify(string signatureAlgorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signatureAlgorithm is not null && Key.Verify(SshKeyAlgorithms.ToSignatureAlgorithm(signatureAlgorithm), data, signature);

    /// <summary>Checks the CA signature over <see cref="SignedData"/> (SHA-1 allowed only when asked, for error reporting).</summary>
    internal bool VerifyCaSignature(bool allowSha1Rsa) =>
        SignatureKey switch
        {
            RsaPublicKey rsa => rsa.VerifyCore(SignatureAlgorithm, SignedData.Span, _signature, allowSha1Rsa),
            SshCertificate => false,
            _ => SignatureKey.Verify(SignatureAlgorithm, SignedData.Span, _signature),
        };

    private static DateTimeOffset? ToDate(ulong seconds) =>
        seconds > (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? null : DateTimeOffset.FromUnixTimeSeconds((long)seconds);
}
