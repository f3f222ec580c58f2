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

    public const string CertificateSuffix = "-cert-v01@openssh.com";

    /// <summary>
    /// Maps a userauth / host key algorithm name to the signature algorithm found inside the
    /// signature blob: <c>rsa-sha2-512-cert-v01@openssh.com</c> becomes <c>rsa-sha2-512</c>,
    /// plain names are returned unchanged.
    /// </summary>
    public static string ToSignatureAlgorithm(string algorithm) =>
        algorithm.EndsWith(CertificateSuffix, StringComparison.Ordinal)
            ? algorithm[..^CertificateSuffix.Length]
            : algorithm;

    /// <summary>The certificate form of a signature algorithm name (<c>rsa-sha2-256</c> → <c>rsa-sha2-256-cert-v01@openssh.com</c>).</summary>
    public static string ToCertificateAlgorithm(string signatureAlgorithm) =>
        signatureAlgorithm.EndsWith(CertificateSuffix, StringComparison.Ordinal)
            ? signatureAlgorithm
            : signatureAlgorithm + CertificateSuffix;
}
