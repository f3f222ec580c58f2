using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Node.Secrets;

namespace Gateway.Node.ClusterCa;

/// <summary>
/// The cluster's own certificate authority: <c>ca.crt</c> and <c>ca.key</c> in one directory, and
/// node certificates it signs. A node certificate is used both ways (each node accepts and dials
/// connections), so it carries both the server and the client authentication usage. ECDSA P-256:
/// a handshake costs a fraction of an RSA one, which matters when a relay connection is made per
/// pooled upstream connection.
/// </summary>
public static class ClusterCertificateAuthority
{
    public const string CaCertificateFile = "ca.crt";
    public const string CaKeyFile = "ca.key";
    public const string NodeCertificateFile = "node.crt";
    public const string NodeKeyFile = "node.key";

    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan DefaultNodeLifetime = TimeSpan.FromDays(825);

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Creates <c>ca.crt</c> and <c>ca.key</c> (0600) in <paramref name="directory"/>; returns the certificate's path.</summary>
    /// <exception cref="IOException">when a CA already exists there.</exception>
    public static string Init(string directory, string name)
    {
        var certPath = Path.Combine(directory, CaCertificateFile);
        var keyPath = Path.Combine(directory, CaKeyFile);
        if (File.Exists(certPath) || File.Exists(keyPath))
            throw new IOException($"{directory} already holds a cluster CA ({CaCertificateFile}/{CaKeyFile}); remove it first to create a new one (every node certificate must then be issued again)");
        Directory.CreateDirectory(directory);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={Escape(name)}, O=Gateway cluster"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var ca = request.CreateSelfSigned(now.AddHours(-1), now + CaLifetime);
        PrivateFile.WriteAtomically(keyPath, key.ExportPkcs8PrivateKeyPem(), overwrite: false);
        File.WriteAllText(certPath, ca.ExportCertificatePem() + "\n");
        return certPath;
    }

    /// <summary>
    /// Signs a node certificate for <paramref name="name"/> with the CA in <paramref name="caDirectory"/>
    /// and writes <c>node.crt</c>, <c>node.key</c> (0600) and a copy of <c>ca.crt</c> into
    /// <paramref name="outDirectory"/>: the three files a node's <c>cluster.tls</c> names.
    /// </summary>
    public static string Issue(string caDirectory, string outDirectory, string name, IReadOnlyList<string> dnsNames,
        IReadOnlyList<IPAddress> addresses, TimeSpan lifetime)
    {
        var caCertPath = Path.Combine(caDirectory, CaCertificateFile);
        var caKeyPath = Path.Combine(caDirectory, CaKeyFile);
        if (!File.Exists(caCertPath) || !File.Exists(caKeyPath))
            throw new IOException($"no cluster CA in {caDirectory} (expected {CaCertificateFile} and {CaKeyFile}; create one with `cluster-ca init --dir {caDirectory}`)");
        var certPath = Path.Combine(outDirectory, NodeCertificateFile);
        var keyPath = Path.Combine(outDirectory, NodeKeyFile);
        if (File.Exists(certPath) || File.Exists(keyPath))
            throw new IOException($"{outDirectory} already holds a node certificate ({NodeCertificateFile}/{NodeKeyFile}); remove it first to issue a new one");

        using var ca = X509Certificate2.CreateFromPemFile(caCertPath, caKeyPath);
        Directory.CreateDirectory(outDirectory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={Escape(name)}, O=Gateway cluster"), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames.DefaultIfEmpty(name).Distinct(StringComparer.OrdinalIgnoreCase)) san.AddDnsName(dns);
        foreach (var ip in addresses) san.AddIpAddress(ip);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var now = DateTimeOffset.UtcNow;
        var notAfter = now + lifetime < ca.NotAfter ? now + lifetime : new DateTimeOffset(ca.NotAfter.ToUniversalTime());
        using var issued = request.Create(ca, now.AddHours(-1), notAfter, RandomNumberGenerator.GetBytes(16));
        PrivateFile.WriteAtomically(keyPath, key.ExportPkcs8PrivateKeyPem(), overwrite: false);
        File.WriteAllText(certPath, issued.ExportCertificatePem() + "\n");
        var caCopy = Path.Combine(outDirectory, CaCertificateFile);
        if (Path.GetFullPath(caCopy) != Path.GetFullPath(caCertPath))
            File.Copy(caCertPath, caCopy, overwrite: true);
        return certPath;
    }

    private static string Escape(string value) => value.Replace("\"", "", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal);
}
