using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Config;

namespace Gateway.Node.ClusterSecurity;

/// <summary>
/// This node's cluster certificate (with its key) and the cluster CA, from <c>cluster.tls</c>; the
/// one rule both the cluster transport and the relay apply to a peer: its certificate chains to
/// the cluster CA (and to no other root: the system's trusted roots play no part), is within its
/// validity, and allows both server and client authentication, as every node's certificate must.
/// Host names are not checked: any certificate the cluster CA issued is a cluster member.
/// </summary>
public sealed class ClusterCredentials : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private ClusterCredentials(X509Certificate2 certificate, X509Certificate2 authority)
    {
        Certificate = certificate;
        Authority = authority;
    }

    /// <summary>The certificate this node presents, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The cluster CA: the only root a peer's certificate may chain to.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>Loads the files (the config loader has checked they exist and parse) and checks this node's own certificate by the peer rule.</summary>
    /// <exception cref="InvalidOperationException">when this node's certificate would be refused by its peers.</exception>
    public static ClusterCredentials Load(ClusterTlsFiles files)
    {
        var certificate = X509Certificate2.CreateFromPemFile(files.CertFile, files.KeyFile);
        var authority = X509CertificateLoader.LoadCertificateFromFile(files.CaFile);
        var credentials = new ClusterCredentials(certificate, authority);
        if (credentials.Refusal(certificate) is { } reason)
        {
            credentials.Dispose();
            throw new InvalidOperationException($"cluster.tls.cert_file {files.CertFile}: peers would refuse this certificate: {reason}");
        }
        return credentials;
    }

    /// <summary>Null when <paramref name="peer"/> is a cluster member's certificate; otherwise why not.</summary>
    public string? Refusal(X509Certificate? peer)
    {
        if (peer is null) return "no certificate presented";
        var certificate = peer as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(peer.GetRawCertData());
        try
        {
            if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku)
            {
                var usages = eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToHashSet();
                if (!usages.Contains(ServerAuth.Value) || !usages.Contains(ClientAuth.Value))
                    return $"certificate {certificate.Subject} is not valid for both server and client authentication (extended key usage)";
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(Authority);
            // A private CA publishes no revocation lists; see docs/security.md for what that means.
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = DateTime.Now;
            if (chain.Build(certificate)) return null;
            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return $"certificate {certificate.Subject} (issuer {certificate.Issuer}) does not chain to the cluster CA {Authority.Subject}: {status}";
        }
        catch (CryptographicException ex)
        {
            return $"certificate could not be checked: {ex.Message}";
        }
        finally
        {
            if (!ReferenceEquals(certificate, peer)) certificate.Dispose();
        }
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Authority.Dispose();
    }
}
