using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Config.Tests;

/// <summary>A scratch directory with helpers for writing key and certificate files.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("gateway-config-tests-").FullName;
    }

    public string Path { get; }

    public string Write(string name, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(file, mode);
        return file;
    }

    /// <summary>Writes a self-signed certificate and its key as PEM; returns both paths.</summary>
    public (string Cert, string Key) WriteCertificate(string name = "tls")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test.example.com", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (Write(name + ".crt", cert.ExportCertificatePem()), Write(name + ".key", key.ExportPkcs8PrivateKeyPem()));
    }

    public string WritePrivateKey(string name, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Write(name, key.ExportPkcs8PrivateKeyPem(), mode);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a test.
        }
    }
}
