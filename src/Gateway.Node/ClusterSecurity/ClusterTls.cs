using Gateway.Config;

namespace Gateway.Node.ClusterSecurity;

/// <summary>
/// Whether this node's cluster transport and relay use mutual TLS (<c>cluster.tls</c>), and with
/// which credentials. Loaded on first use, which is while the host starts, so a certificate the
/// peers would refuse stops the start with one line (<see cref="Hosting.GatewayNodeRunner"/>).
/// </summary>
public sealed class ClusterTls : IDisposable
{
    private readonly Lazy<ClusterCredentials?> _credentials;

    public ClusterTls(GatewayConfig config)
    {
        var files = config.Cluster?.Tls;
        _credentials = new Lazy<ClusterCredentials?>(() => files is null ? null : ClusterCredentials.Load(files));
    }

    /// <summary>Null when the cluster runs without TLS (loopback, or <c>cluster.insecure = true</c>).</summary>
    public ClusterCredentials? Credentials => _credentials.Value;

    public void Dispose()
    {
        if (_credentials.IsValueCreated) _credentials.Value?.Dispose();
    }
}
