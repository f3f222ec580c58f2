using System.Security.Cryptography.X509Certificates;

namespace Gateway.Node.Http;

/// <summary>
/// Serves the operator's certificates (<c>certificates = [{cert, key}]</c>): the first whose DNS
/// names cover the SNI name (exact or one-label wildcard), else the first certificate.
/// </summary>
public sealed class ConfiguredCertificateSelector : ICertificateSelector
{
    private readonly IReadOnlyList<(X509Certificate2 Certificate, string[] Names)> _certificates;

    public ConfiguredCertificateSelector(IEnumerable<X509Certificate2> certificates)
    {
        _certificates = certificates.Select(c => (ServerCertificatePreparation.Prepare(c), DnsNames(c))).ToList();
        if (_certificates.Count == 0)
            throw new ArgumentException("at least one certificate is required", nameof(certificates));
        foreach (var (certificate, _) in _certificates)
        {
            if (!certificate.HasPrivateKey)
                throw new ArgumentException($"certificate {certificate.Subject} has no private key", nameof(certificates));
        }
    }

    /// <summary>Loads PEM pairs; errors name the file.</summary>
    public static ConfiguredCertificateSelector FromPemFiles(IEnumerable<(string CertPath, string KeyPath)> files)
    {
        var loaded = new List<X509Certificate2>();
        foreach (var (certPath, keyPath) in files)
        {
            try
            {
                loaded.Add(X509Certificate2.CreateFromPemFile(certPath, keyPath));
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or ArgumentException)
            {
                throw new ArgumentException($"certificate {certPath} with key {keyPath} cannot be loaded: {e.Message}", e);
            }
        }
        return new ConfiguredCertificateSelector(loaded);
    }

    public X509Certificate2? Select(string? serverName)
    {
        if (!string.IsNullOrEmpty(serverName))
        {
            foreach (var (certificate, names) in _certificates)
            {
                if (names.Any(n => Covers(n, serverName)))
                    return certificate;
            }
        }
        return _certificates[0].Certificate;
    }

    public bool SelectsSameCertificate(string serverName, string host)
        => ReferenceEquals(Select(serverName), Select(host));

    private static bool Covers(string pattern, string name)
    {
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            var dot = name.IndexOf('.');
            return dot > 0 && name.AsSpan(dot).Equals(pattern.AsSpan(1), StringComparison.OrdinalIgnoreCase);
        }
        return pattern.Equals(name, StringComparison.OrdinalIgnoreCase);
    }

    private static string[] DnsNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
                names.AddRange(san.EnumerateDnsNames());
        }
        if (names.Count == 0 && certificate.GetNameInfo(X509NameType.DnsName, false) is { Length: > 0 } cn)
            names.Add(cn);
        return names.ToArray();
    }
}
