using System.Security.Cryptography.X509Certificates;

namespace Gateway.Node.Http;

/// <summary>
/// Readies a server certificate for concurrent TLS handshakes. Kestrel checks the Extended Key
/// Usage of the selected certificate on every handshake, and
/// <see cref="X509EnhancedKeyUsageExtension.EnhancedKeyUsages"/> decodes lazily into a shared field
/// without synchronisation: two first handshakes at once could see a half-filled usage list and
/// refuse the certificate ("cannot be used as an SSL server certificate"). Decoding once, before
/// the certificate is shared, leaves only reads.
/// </summary>
public static class ServerCertificatePreparation
{
    public static X509Certificate2 Prepare(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension usage)
                _ = usage.EnhancedKeyUsages.Count;
        }
        return certificate;
    }
}
