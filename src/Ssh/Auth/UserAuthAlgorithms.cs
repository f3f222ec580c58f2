namespace Gateway.Ssh.Auth;

/// <summary>
/// Publickey algorithm names accepted in USERAUTH_REQUEST and how they relate to key blob types
/// and signature blob algorithms. SHA-1 ("ssh-rsa", "ssh-rsa-cert-v01@openssh.com") is refused,
/// as OpenSSH's default PubkeyAcceptedAlgorithms does.
/// </summary>
internal static class UserAuthAlgorithms
{
    public const string CertificateSuffix = "-cert-v01@openssh.com";
    public const string RsaKeyType = "ssh-rsa";
    public const string RsaSha1 = "ssh-rsa";

    private static readonly HashSet<string> PlainSignatureAlgorithms = new(StringComparer.Ordinal)
    {
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "rsa-sha2-256",
        "rsa-sha2-512",
    };

    public static bool IsCertificateAlgorithm(string algorithm) => algorithm.EndsWith(CertificateSuffix, StringComparison.Ordinal);

    /// <summary>The algorithm inside the signature blob: the name without any certificate suffix.</summary>
    public static string ToSignatureAlgorithm(string algorithm) =>
        IsCertificateAlgorithm(algorithm) ? algorithm[..^CertificateSuffix.Length] : algorithm;

    public static bool IsAccepted(string algorithm) => PlainSignatureAlgorithms.Contains(ToSignatureAlgorithm(algorithm));

    /// <summary>The key type the blob must carry for <paramref name="algorithm"/>.</summary>
    public static string ExpectedKeyType(string algorithm)
    {
        var signature = ToSignatureAlgorithm(algorithm);
        var plainType = signature.StartsWith("rsa-sha2-", StringComparison.Ordinal) ? RsaKeyType : signature;
        return IsCertificateAlgorithm(algorithm) ? plainType + CertificateSuffix : plainType;
    }

    /// <summary>The userauth algorithm for a key of <paramref name="keyType"/> signing with <paramref name="signatureAlgorithm"/>.</summary>
    public static string ToUserAuthAlgorithm(string keyType, string signatureAlgorithm)
    {
        var plain = ToSignatureAlgorithm(signatureAlgorithm);
        return IsCertificateAlgorithm(keyType) ? plain + CertificateSuffix : plain;
    }
}
