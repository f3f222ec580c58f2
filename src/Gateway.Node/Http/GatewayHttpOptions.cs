namespace Gateway.Node.Http;

/// <summary>Node-wide settings of the upstream HTTP client.</summary>
public sealed class GatewayHttpOptions
{
    /// <summary>
    /// A pooled upstream connection (one tunnel channel) is retired after this long, so that
    /// endpoints that joined later get traffic soon. Default 2 minutes.
    /// </summary>
    public TimeSpan PooledConnectionLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>An idle pooled connection is closed after this long. Default 60 seconds.</summary>
    public TimeSpan PooledConnectionIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// An idle pooled connection through a tunnel (an open, unused SSH channel) is closed after
    /// this long. Default 5 seconds. Shorter than for direct upstreams because every open channel
    /// costs the tunnel client on every packet: OpenSSH's <c>ssh</c> polls each of its channels'
    /// sockets on each pass of its loop, and with the 256 channels a burst of 256 downstream
    /// connections leaves behind, bulk transfer through that tunnel halves (bench/README.md).
    /// Under steady load the pool reuses its most recently used connections first, so the
    /// channels still needed never go idle for this long.
    /// </summary>
    public TimeSpan TunnelPooledConnectionIdleTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound on opening a channel (and the direct TCP connect). Default 15 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
