namespace Gateway.Ssh.Keys;

/// <summary>
/// A private key paired with its certificate, for client authentication: the public key sent is
/// the certificate, signatures are made by the inner key with its own algorithms.
/// </summary>
public sealed class SshCertifiedPrivateKey : SshPrivateKey
{
    /// <summary>Takes ownership of <paramref name="innerKey"/>; disposing this disposes it.</summary>
    public SshCertifiedPrivateKey(SshPrivateKey innerKey, SshCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(innerKey);
        ArgumentNullException.ThrowIfNull(certificate);
        if (innerKey is SshCertifiedPrivateKey) throw new ArgumentException("the inner key is already certified", nameof(innerKey));
        if (!certificate.Key.Equals(innerKey.PublicKey))
            throw new ArgumentException("the certificate does not certify this private key", nameof(certificate));
        InnerKey = innerKey;
        Certificate = certificate;
    }

    public SshPrivateKey InnerKey { get; }
    public SshCertificate Certificate { get; }
    public override SshPublicKey PublicKey => Certificate;
    public override IReadOnlyList<string> SignatureAlgorithms => InnerKey.SignatureAlgorithms;

    /// <summary>Accepts plain or certificate algorithm names (<c>rsa-sha2-512-cert-v01@openssh.com</c> signs as <c>rsa-sha2-512</c>).</summary>
    public override byte[] Sign(string signatureAlgorithm, ReadOnlySpan<byte> data) =>
        InnerKey.Sign(SshKeyAlgorithms.ToSignatureAlgorithm(signatureAlgorithm), data);

    public override void Dispose()
    {
        InnerKey.Dispose();
        base.Dispose();
    }
}
