namespace Gateway.Node.Http;

/// <summary>
/// What the HTTP side needs to know about one route. Option names follow Pomerium's route
/// options; the config layer fills this from <c>routes</c>.
/// </summary>
public sealed record ProxyRouteDefinition
{
    /// <summary>Stable id; also the YARP route and cluster id.</summary>
    public required string RouteId { get; init; }

    /// <summary>The <c>from</c> host: exact (<c>app.example.com</c>) or wildcard (<c>*.example.com</c>), no port.</summary>
    public required string Host { get; init; }

    /// <summary>The <c>to</c> URLs. http, https and h2c; h2c cannot be mixed with the others in one route.</summary>
    public required IReadOnlyList<UpstreamUrl> To { get; init; }

    public bool AllowPublicUnauthenticatedAccess { get; init; }

    public bool PreserveHostHeader { get; init; }

    public string? HostRewrite { get; init; }

    public string? HostRewriteHeader { get; init; }

    public string? HostPathRegexRewritePattern { get; init; }

    public string? HostPathRegexRewriteSubstitution { get; init; }

    /// <summary>Whole-request timeout (Pomerium <c>timeout</c>); null = none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Longest pause between upstream reads/writes (Pomerium <c>idle_timeout</c>); null = YARP's default (100 s).</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>True: destinations are tunnel endpoints. False (runtime flag ssh_upstream_tunnel off): destinations are the <c>to</c> URLs.</summary>
    public bool UsesTunnel { get; init; } = true;

    /// <summary>Skip upstream certificate validation for https <c>to</c> URLs (Pomerium <c>tls_skip_verify</c>).</summary>
    public bool TlsSkipVerify { get; init; }

    /// <summary>SNI and name to validate for https upstreams (Pomerium <c>tls_upstream_server_name</c>); default: the https <c>to</c> host.</summary>
    public string? TlsUpstreamServerName { get; init; }
}
