using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// A configured TLS key file that other users can read is named in a warning at start, in sshd's
/// words (the node keeps starting, as nginx would; SSH key files are refused by the config loader);
/// a private one draws no warning.
/// </summary>
public sealed class KeyFilePermissionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (string Cert, string Key) CertificateFiles(string name, UnixFileMode keyMode)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certPath = _dir.Write($"{name}.crt", cert.ExportCertificatePem(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var keyPath = _dir.Write($"{name}.key", key.ExportPkcs8PrivateKeyPem(), keyMode);
        return (certPath, keyPath);
    }

    [Fact]
    public async Task A_tls_key_readable_by_others_is_named_in_a_warning_and_a_private_one_is_not()
    {
        var guarded = CertificateFiles("guarded.test", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var exposed = CertificateFiles("exposed.test", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var node = await GatewayNodeProcess.StartAsync(_dir, $$"""
            certificates = [
              { cert = "{{guarded.Cert}}", key = "{{guarded.Key}}" },
              { cert = "{{exposed.Cert}}", key = "{{exposed.Key}}" }
            ]
            """);
        var warnings = node.Log.Split('\n').Where(l => l.Contains("UNPROTECTED PRIVATE KEY FILE", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains(" warn: ", warning);
        Assert.Contains($"certificates[1].key {exposed.Key} has mode 0644", warning);
        Assert.Contains($"chmod 600 {exposed.Key}", warning);
        Assert.DoesNotContain(guarded.Key, warning);
    }
}
