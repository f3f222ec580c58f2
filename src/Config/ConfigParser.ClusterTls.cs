using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Config;

/// <summary>
/// <c>cluster.tls</c> and <c>cluster.insecure</c>. The files are read from the file here, may be
/// replaced by flags or environment, and are checked together afterwards
/// (<see cref="CheckClusterSecurity"/>): a partial set, an unreadable file or a key others can
/// read stops the node, and so does a cluster address other hosts can reach with no TLS, unless
/// <c>cluster.insecure = true</c> says the operator means it.
/// </summary>
internal sealed partial class ConfigParser
{
    private static readonly string[] TlsKeys = ["ca_file", "cert_file", "key_file"];

    private GatewayClusterConfig ClusterTls(ObjectNode node, GatewayClusterConfig cluster)
    {
        if (Bool(node, "insecure") is { } insecure)
            cluster = cluster with { Insecure = insecure };
        if (Object(node, "tls") is not { } tls)
            return cluster;
        CheckKeys(tls, TlsKeys);
        return cluster with
        {
            TlsCaFile = String(tls, "ca_file") is { } ca ? ResolvePath(ca) : null,
            TlsCertFile = String(tls, "cert_file") is { } cert ? ResolvePath(cert) : null,
            TlsKeyFile = String(tls, "key_file") is { } key ? ResolvePath(key) : null,
        };
    }

    /// <summary>Runs once the file, the environment and the flags have been applied.</summary>
    internal void CheckClusterSecurity(GatewayConfig config)
    {
        var cluster = config.Cluster ?? new GatewayClusterConfig();
        var given = new[] { cluster.TlsCaFile, cluster.TlsCertFile, cluster.TlsKeyFile };
        if (given.Any(f => f is not null) && given.Any(f => f is null))
        {
            var missing = TlsKeys.Where((_, i) => given[i] is null);
            Problem("cluster.tls", $"give ca_file, cert_file and key_file together (missing: {string.Join(", ", missing)})");
            return;
        }
        if (cluster.Tls is { } files)
        {
            CheckTlsFiles(files);
            return;
        }
        if (cluster.Insecure) return;
        var exposed = ReachableFromOtherHosts(cluster);
        if (exposed.Count > 0)
            Problem("cluster.tls", $"required: the cluster listens on or joins {string.Join(", ", exposed)}, which other hosts can reach, "
                + "and without TLS anyone who reaches it can join the cluster and receive its tunnel traffic. "
                + "Give cluster.tls { ca_file, cert_file, key_file } (create them with `Gateway.Node cluster-ca init` and `cluster-ca issue`), "
                + "or set cluster.insecure = true (--cluster-insecure, GATEWAY_CLUSTER_INSECURE=true) on a network only the gateway's nodes can reach");
    }

    private void CheckTlsFiles(ClusterTlsFiles files)
    {
        var caOk = PemFile("cluster.tls.ca_file", files.CaFile);
        var certOk = PemFile("cluster.tls.cert_file", files.CertFile);
        var keyOk = PemFile("cluster.tls.key_file", files.KeyFile);
        if (keyOk)
            PrivateKeyFile("cluster.tls.key_file", files.KeyFile, "cluster tls key file");
        if (caOk)
        {
            try
            {
                using var ca = X509CertificateLoader.LoadCertificateFromFile(files.CaFile);
                if (ca.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
                    Problem("cluster.tls.ca_file", $"{files.CaFile} is not a CA certificate (no basicConstraints CA:TRUE)");
            }
            catch (CryptographicException ex)
            {
                Problem("cluster.tls.ca_file", $"could not load the certificate {files.CaFile}: {ex.Message}");
            }
        }
        if (certOk && keyOk)
        {
            try
            {
                using var loaded = X509Certificate2.CreateFromPemFile(files.CertFile, files.KeyFile);
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                Problem("cluster.tls.cert_file", $"could not load the certificate and key_file: {ex.Message}");
            }
        }
    }

    /// <summary>The addresses (cluster hostname, relay address, seeds) that are not loopback.</summary>
    internal static IReadOnlyList<string> ReachableFromOtherHosts(GatewayClusterConfig cluster)
    {
        var result = new List<string>();
        if (!IsLoopback(cluster.Hostname))
            result.Add($"cluster.hostname {cluster.Hostname}");
        if (cluster.RelayAddress is { } relay && !IsLoopback(relay.Host))
            result.Add($"cluster.relay_address {relay}");
        foreach (var seed in cluster.SeedNodes)
        {
            var hostPort = seed.Contains('@', StringComparison.Ordinal) ? seed[(seed.IndexOf('@', StringComparison.Ordinal) + 1)..].TrimEnd('/') : seed;
            if (HostPort.TryParse(hostPort, null, out var parsed, out _) && !IsLoopback(parsed!.Host))
                result.Add($"seed {seed}");
        }
        return result;
    }

    /// <summary><c>localhost</c> (RFC 6761 keeps it on loopback) or a loopback address; any-address is not.</summary>
    private static bool IsLoopback(string host)
    {
        var h = host.Trim('[', ']');
        if (h.Equals("localhost", StringComparison.OrdinalIgnoreCase) || h.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        return IPAddress.TryParse(h, out var ip) && IPAddress.IsLoopback(ip);
    }
}
