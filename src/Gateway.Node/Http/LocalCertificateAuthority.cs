using Gateway.Node.Secrets;
using System.Collections.Concurrent;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Http;

/// <summary>
/// Used when no certificates are configured: a local CA kept in <c>data_dir</c> (ca.pem,
/// ca-key.pem) issues a leaf certificate per requested host on demand, so
/// <c>curl --cacert &lt;data_dir&gt;/ca.pem https://host</c> works. ECDSA P-256; leaves last 90 days.
/// Trusting ca.pem should not mean trusting it for every site: given a name scope (the node gives
/// its route hosts) the CA carries name constraints for just those names, and it lives a year.
/// The CA is kept across starts while it covers the scope and has a month left; otherwise a new
/// one replaces it, with a warning, and clients must trust the new ca.pem.
/// </summary>
public sealed class LocalCertificateAuthority : ICertificateSelector, IDisposable
{
    public const string CaFileName = "ca.pem";
    public const string CaKeyFileName = "ca-key.pem";

    private static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(90);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(7);
    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(365);
    public static readonly TimeSpan CaRenewBefore = TimeSpan.FromDays(30);
    private const int MaxCachedLeaves = 4096;

    private readonly X509Certificate2 _ca;
    private readonly Func<string, bool> _acceptHost;
    private readonly string _defaultHost;
    private readonly LocalCaNameConstraints? _scope;
    private readonly ConcurrentDictionary<string, X509Certificate2> _leaves = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _issueGate = new();

    /// <param name="dataDir">Where ca.pem and ca-key.pem live; created if missing.</param>
    /// <param name="acceptHost">
    /// Names a leaf may be issued for (e.g. "matches a route"); others get the default host's
    /// leaf, so a scanner cannot make the node mint certificates for arbitrary names.
    /// </param>
    /// <param name="defaultHost">Used when the client sends no SNI or an unaccepted name.</param>
    /// <param name="nameScope">
    /// Host names (wildcards and IP literals allowed) the CA is constrained to, the default host
    /// added; null for an unconstrained CA.
    /// </param>
    public LocalCertificateAuthority(string dataDir, ILogger? logger = null, Func<string, bool>? acceptHost = null, string defaultHost = "localhost",
        IEnumerable<string>? nameScope = null)
    {
        Directory.CreateDirectory(dataDir);
        CaCertificatePath = Path.Combine(dataDir, CaFileName);
        CaKeyPath = Path.Combine(dataDir, CaKeyFileName);
        _acceptHost = acceptHost ?? (_ => true);
        _defaultHost = defaultHost;
        _scope = nameScope is null ? null : LocalCaNameConstraints.For(nameScope.Append(defaultHost));
        string action;
        if (File.Exists(CaCertificatePath) && File.Exists(CaKeyPath))
        {
            var existing = X509Certificate2.CreateFromPemFile(CaCertificatePath, CaKeyPath);
            if (ReplacementReason(existing, _scope) is { } reason)
            {
                existing.Dispose();
                _ca = CreateCa(_scope);
                WriteCa(_ca, CaCertificatePath, CaKeyPath);
                logger?.LogWarning("replaced the local certificate authority {CaPath}: {Reason}; clients that trusted the old one must trust the new one", CaCertificatePath, reason);
                action = "Created";
            }
            else
            {
                _ca = existing;
                action = "Using";
            }
        }
        else
        {
            _ca = CreateCa(_scope);
            WriteCa(_ca, CaCertificatePath, CaKeyPath);
            action = "Created";
        }
        logger?.LogInformation("{Action} local certificate authority {CaPath} (valid until {NotAfter:yyyy-MM-dd}{Scope}); clients can trust it with: curl --cacert {CaPath} https://<route host>",
            action, CaCertificatePath, _ca.NotAfter.ToUniversalTime(), _scope is null ? "" : $", for {_scope}", CaCertificatePath);
    }

    /// <summary>Why a CA found in data_dir cannot serve on; null when it can.</summary>
    private static string? ReplacementReason(X509Certificate2 ca, LocalCaNameConstraints? scope)
    {
        if (ca.NotAfter.ToUniversalTime() - DateTime.UtcNow < CaRenewBefore)
            return $"it expires {ca.NotAfter.ToUniversalTime():yyyy-MM-dd}";
        if (scope is null) return null;
        var constraints = LocalCaNameConstraints.Read(ca);
        if (constraints is null)
            return "it has no name constraints";
        if (!scope.IsWithin(constraints))
            return $"its name constraints ({constraints}) do not cover {scope}";
        return null;
    }

    public string CaCertificatePath { get; }

    public string CaKeyPath { get; }

    /// <summary>The CA certificate (public part), e.g. for a test's trust store.</summary>
    public X509Certificate2 CaCertificate => X509CertificateLoader.LoadCertificate(_ca.RawData);

    public X509Certificate2 Select(string? serverName)
    {
        var host = LeafHost(serverName);
        if (_leaves.TryGetValue(host, out var cached) && cached.NotAfter.ToUniversalTime() - DateTime.UtcNow > RenewBefore)
            return cached;
        lock (_issueGate)
        {
            if (_leaves.TryGetValue(host, out cached) && cached.NotAfter.ToUniversalTime() - DateTime.UtcNow > RenewBefore)
                return cached;
            if (_leaves.Count >= MaxCachedLeaves)
                _leaves.Clear();
            var leaf = IssueLeaf(host);
            _leaves[host] = leaf;
            return leaf;
        }
    }

    /// <summary>Each leaf names one host, so two names share a certificate only when they get the same leaf.</summary>
    public bool SelectsSameCertificate(string serverName, string host)
        => string.Equals(LeafHost(serverName), LeafHost(host), StringComparison.Ordinal);

    /// <summary>The name the leaf served for <paramref name="serverName"/> is issued for.</summary>
    private string LeafHost(string? serverName)
        => string.IsNullOrEmpty(serverName) || !_acceptHost(serverName) || _scope?.Permits(serverName) == false
            ? _defaultHost
            : serverName.TrimEnd('.').ToLowerInvariant();

    /// <summary>Issues a leaf for <paramref name="host"/> (a DNS name or an IP address) signed by the CA.</summary>
    public X509Certificate2 IssueLeaf(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var isAddress = IPAddress.TryParse(host, out var ip);
        // An address has no CN: OpenSSL checks a CN that looks like a host name against the CA's
        // DNS name constraints, which an address never meets. An empty subject makes the
        // alternative name critical (RFC 5280 §4.2.1.6).
        var subject = new X500DistinguishedName(isAddress ? "" : "CN=" + EscapeCn(host));
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (isAddress)
            san.AddIpAddress(ip!);
        else
            san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build(critical: isAddress));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        var now = DateTimeOffset.UtcNow;
        var notAfter = now + LeafLifetime;
        if (notAfter > _ca.NotAfter)
            notAfter = _ca.NotAfter;
        using var issued = request.Create(_ca, now.AddHours(-1), notAfter, NewSerial());
        using var withKey = issued.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return ServerCertificatePreparation.Prepare(X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null));
    }

    public void Dispose()
    {
        foreach (var leaf in _leaves.Values)
            leaf.Dispose();
        _leaves.Clear();
        _ca.Dispose();
    }

    private static X509Certificate2 CreateCa(LocalCaNameConstraints? scope)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=Gateway Local CA, O=Gateway"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (scope is not null)
            request.CertificateExtensions.Add(scope.ToExtension());
        var now = DateTimeOffset.UtcNow;
        using var self = request.CreateSelfSigned(now.AddDays(-1), now + CaLifetime);
        return X509CertificateLoader.LoadPkcs12(self.Export(X509ContentType.Pkcs12), null);
    }

    private static void WriteCa(X509Certificate2 ca, string certPath, string keyPath)
    {
        using var key = ca.GetECDsaPrivateKey() ?? throw new InvalidOperationException("CA has no ECDSA key");
        var keyPem = PemEncoding.WriteString("PRIVATE KEY", key.ExportPkcs8PrivateKey());
        PrivateFile.WriteAtomically(keyPath, keyPem, overwrite: true);
        File.WriteAllText(certPath + ".tmp", ca.ExportCertificatePem());
        File.Move(certPath + ".tmp", certPath, overwrite: true);
    }

    private static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        serial[0] |= 0x01; // no leading zero byte
        return serial;
    }

    private static string EscapeCn(string host) => host.Replace("\\", "\\\\").Replace(",", "\\,").Replace("+", "\\+").Replace("\"", "\\\"");
}
