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

    /// <summary>Upper bound on opening a channel (and the direct TCP connect). Default 15 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
