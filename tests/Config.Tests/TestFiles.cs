using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Testing;

namespace Gateway.Config.Tests;

/// <summary>Key and certificate files the config's TLS settings point at.</summary>
internal static class TestFiles
{
    /// <summary>Writes a self-signed certificate and its key as PEM; returns both paths.</summary>
    public static (string Cert, string Key) WriteCertificate(this TempDirectory dir, string name = "tls")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test.example.com", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (dir.Write(name + ".crt", cert.ExportCertificatePem()), dir.Write(name + ".key", key.ExportPkcs8PrivateKeyPem()));
    }

    public static string WritePrivateKey(this TempDirectory dir, string name, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return dir.Write(name, key.ExportPkcs8PrivateKeyPem(), mode);
    }
}
