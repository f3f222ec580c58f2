namespace Gateway.Node.Http;

/// <summary>The tunnel endpoint refused or failed to open a channel; the gateway answers 502.</summary>
public sealed class TunnelOpenFailedException : Exception
{
    public TunnelOpenFailedException(string message) : base(message) { }

    public TunnelOpenFailedException(string message, Exception inner) : base(message, inner) { }

    public TunnelOpenFailedException(string message, Exception? inner, bool refusedByClient) : base(message, inner)
        => RefusedByClient = refusedByClient;

    /// <summary>
    /// The SSH client answered and could not reach the service: it refused the channel (static
    /// forward: its connect failed) or its SOCKS server reported the connect failed. Says something
    /// about this endpoint (outlier detection counts it), unlike a timeout or a relay failure.
    /// </summary>
    public bool RefusedByClient { get; }
}
