using Gateway.Config;

namespace Gateway.Node.Http;

/// <summary>
/// Node-wide settings of the proxy. The pooled connection lifetime is the config key
/// <c>upstream_pooled_connection_lifetime</c>, the trusted proxies <c>trusted_proxies</c>; the
/// other settings are fixed (docs/configuration.md).
/// </summary>
public sealed class GatewayHttpOptions
{
    /// <summary>An idle pooled connection to a direct upstream is closed after this long.</summary>
    public static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// An idle pooled connection through a tunnel (an open, unused SSH channel) is closed after
    /// this long. Shorter than for direct upstreams because every open channel costs the tunnel
    /// client on every packet: OpenSSH's <c>ssh</c> polls each of its channels' sockets on each
    /// pass of its loop, and with the 256 channels a burst of 256 downstream connections leaves
    /// behind, bulk transfer through that tunnel halves (bench/README.md). Under steady load the
    /// pool reuses its most recently used connections first, so the channels still needed never
    /// go idle for this long.
    /// </summary>
    public static readonly TimeSpan TunnelPooledConnectionIdleTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound on opening a channel (and the direct TCP connect).</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    private GatewayHttpOptions(TimeSpan pooledConnectionLifetime, IReadOnlyList<System.Net.IPNetwork> trustedProxies)
    {
        PooledConnectionLifetime = pooledConnectionLifetime;
        TrustedProxies = trustedProxies;
    }

    /// <summary><c>trusted_proxies</c>: peers whose forwarding headers are kept (see <see cref="ForwardedHeadersTransform"/>).</summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; }

    /// <summary>
    /// A pooled upstream connection (one tunnel channel) is retired after this long, so that
    /// endpoints that joined later get traffic soon.
    /// </summary>
    public TimeSpan PooledConnectionLifetime { get; }

    public static GatewayHttpOptions FromConfig(GatewayConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new GatewayHttpOptions(config.UpstreamPooledConnectionLifetime, config.TrustedProxies);
    }
}
