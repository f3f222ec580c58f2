using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Auth;

/// <summary>
/// A publickey attempt. Any certificate has already been validated against
/// <see cref="SshServerAuthOptions.TrustedUserCaKeys"/> (CA signature, user type, validity,
/// non-empty principals, known critical options, source-address); which principal is required
/// is the caller's choice. The callback is asked before the signature is verified (as OpenSSH
/// looks a key up before it checks the signature): when <see cref="HasSignature"/> is true, a
/// decision other than failure takes effect only if the signature then verifies.
/// </summary>
public sealed class PublicKeyAuthContext : AuthContext
{
    internal PublicKeyAuthContext(SshAuthState state, string algorithm, SshPublicKey presented, SshPublicKey key, SshCertificate? certificate, bool hasSignature)
        : base(state)
    {
        Algorithm = algorithm;
        PresentedKey = presented;
        Key = key;
        Certificate = certificate;
        HasSignature = hasSignature;
    }

    /// <summary>The userauth algorithm name, e.g. <c>rsa-sha2-512</c> or <c>ssh-ed25519-cert-v01@openssh.com</c>.</summary>
    public string Algorithm { get; }

    /// <summary>What the client sent: the plain key, or the certificate.</summary>
    public SshPublicKey PresentedKey { get; }

    /// <summary>The plain public key (the certified key when a certificate was presented).</summary>
    public SshPublicKey Key { get; }

    public SshCertificate? Certificate { get; }

    /// <summary>False for a query (RFC 4252 §7 "would this key be accepted?"), true for the signed request (verified after the callback approves).</summary>
    public bool HasSignature { get; }

    public IReadOnlyList<string> CertificatePrincipals => Certificate?.Principals ?? [];
    public IReadOnlyList<string> CertificateExtensions => Certificate?.Extensions ?? [];
}
