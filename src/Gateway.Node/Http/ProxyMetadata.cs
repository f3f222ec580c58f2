namespace Gateway.Node.Http;

/// <summary>Keys under which route options travel in YARP route/cluster metadata to transforms, middleware and the client factory.</summary>
public static class ProxyMetadata
{
    public const string Public = "gateway.public";
    /// <summary>Route and cluster metadata: the route's upstreams are reached through SSH tunnels.</summary>
    public const string UsesTunnel = "gateway.uses-tunnel";
    public const string PreserveHostHeader = "gateway.preserve-host-header";
    public const string HostRewrite = "gateway.host-rewrite";
    public const string HostRewriteHeader = "gateway.host-rewrite-header";
    public const string HostPathRegexPattern = "gateway.host-path-regex-pattern";
    public const string HostPathRegexSubstitution = "gateway.host-path-regex-substitution";

    /// <summary>Cluster metadata: SNI / validation name for https upstreams.</summary>
    public const string TlsServerName = "gateway.tls-server-name";
}
