namespace Gateway.Ssh.Keys;

/// <summary>Key type and signature algorithm names used on the wire.</summary>
public static class SshKeyAlgorithms
{
    public const string Ed25519 = "ssh-ed25519";
    public const string EcdsaP256 = "ecdsa-sha2-nistp256";
    public const string EcdsaP384 = "ecdsa-sha2-nistp384";
    public const string EcdsaP521 = "ecdsa-sha2-nistp521";
    public const string Rsa = "ssh-rsa";
    public const string RsaSha256 = "rsa-sha2-256";
    public const string RsaSha512 = "rsa-sha2-512";

    /// <summary>FIDO security keys (PROTOCOL.u2f): their signatures carry authenticator data this library does not verify.</summary>
    public const string SecurityKeyEd25519 = "sk-ssh-ed25519@openssh.com";
    public const string SecurityKeyEcdsaP256 = "sk-ecdsa-sha2-nistp256@openssh.com";

    public const string CertificateSuffix = "-cert-v01@openssh.com";

    /// <summary>Plain key types whose blobs this library decodes and whose signatures it verifies.</summary>
    public static IReadOnlyList<string> VerifiableKeyTypes { get; } = [Ed25519, EcdsaP256, EcdsaP384, EcdsaP521, Rsa];

    /// <summary>Security-key types: an authorized_keys line with one is read and can be compared by blob, never authenticated.</summary>
    public static IReadOnlyList<string> SecurityKeyTypes { get; } = [SecurityKeyEd25519, SecurityKeyEcdsaP256];

    /// <summary>
    /// Signature algorithms this library verifies, for host keys and user authentication alike. SHA-1
    /// <c>ssh-rsa</c> signatures are refused, as OpenSSH's defaults do.
    /// </summary>
    public static IReadOnlyList<string> SignatureAlgorithms { get; } = [Ed25519, EcdsaP256, EcdsaP384, EcdsaP521, RsaSha512, RsaSha256];

    /// <summary>True for a verifiable plain key type or its <c>*-cert-v01@openssh.com</c> certificate form.</summary>
    public static bool IsVerifiableKeyType(string keyType) => VerifiableKeyTypes.Contains(ToSignatureAlgorithm(keyType));

    public static bool IsCertificate(string algorithm) => algorithm.EndsWith(CertificateSuffix, StringComparison.Ordinal);

    /// <summary>
    /// Maps a userauth / host key algorithm name to the signature algorithm found inside the
    /// signature blob: <c>rsa-sha2-512-cert-v01@openssh.com</c> becomes <c>rsa-sha2-512</c>,
    /// plain names are returned unchanged.
    /// </summary>
    public static string ToSignatureAlgorithm(string algorithm) =>
        IsCertificate(algorithm) ? algorithm[..^CertificateSuffix.Length] : algorithm;

    /// <summary>The certificate form of a signature algorithm name (<c>rsa-sha2-256</c> → <c>rsa-sha2-256-cert-v01@openssh.com</c>).</summary>
    public static string ToCertificateAlgorithm(string signatureAlgorithm) =>
        IsCertificate(signatureAlgorithm) ? signatureAlgorithm : signatureAlgorithm + CertificateSuffix;
}
