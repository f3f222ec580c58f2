using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Auth;

/// <summary>
/// Publickey algorithm names accepted in USERAUTH_REQUEST and how they relate to key blob types
/// and signature blob algorithms. The names are <see cref="SshKeyAlgorithms"/>'; SHA-1
/// ("ssh-rsa", "ssh-rsa-cert-v01@openssh.com") is refused, as OpenSSH's default PubkeyAcceptedAlgorithms does.
/// </summary>
internal static class UserAuthAlgorithms
{
    public const string RsaSha1 = SshKeyAlgorithms.Rsa;

    /// <summary>The algorithm inside the signature blob: the name without any certificate suffix.</summary>
    public static string ToSignatureAlgorithm(string algorithm) => SshKeyAlgorithms.ToSignatureAlgorithm(algorithm);

    public static bool IsAccepted(string algorithm) => SshKeyAlgorithms.SignatureAlgorithms.Contains(ToSignatureAlgorithm(algorithm));

    /// <summary>The key type the blob must carry for <paramref name="algorithm"/>.</summary>
    public static string ExpectedKeyType(string algorithm)
    {
        var signature = ToSignatureAlgorithm(algorithm);
        var plainType = signature is SshKeyAlgorithms.RsaSha256 or SshKeyAlgorithms.RsaSha512 ? SshKeyAlgorithms.Rsa : signature;
        return SshKeyAlgorithms.IsCertificate(algorithm) ? SshKeyAlgorithms.ToCertificateAlgorithm(plainType) : plainType;
    }

    /// <summary>The userauth algorithm for a key of <paramref name="keyType"/> signing with <paramref name="signatureAlgorithm"/>.</summary>
    public static string ToUserAuthAlgorithm(string keyType, string signatureAlgorithm)
    {
        var plain = ToSignatureAlgorithm(signatureAlgorithm);
        return SshKeyAlgorithms.IsCertificate(keyType) ? SshKeyAlgorithms.ToCertificateAlgorithm(plain) : plain;
    }
}
