using Gateway.Policy;
namespace Gateway.Config;

/// <summary>One <c>routes</c> entry.</summary>
public sealed record RouteConfig
{
    /// <summary><c>id</c>, or derived from <c>from</c> (e.g. "https-app.example.com"). Unique.</summary>
    public required string Id { get; init; }

    public required RouteFrom From { get; init; }

    /// <summary><c>to</c>: one or more upstream URLs, in order.</summary>
    public required IReadOnlyList<RouteTarget> To { get; init; }

    public bool AllowPublicUnauthenticatedAccess { get; init; }

    /// <summary><c>policy</c>: who may use the route (raw PPL), or null.</summary>
    public PolicyNode? Policy { get; init; }

    /// <summary><c>upstream_tunnel</c>: present means upstreams are reached through SSH clients.</summary>
    public UpstreamTunnelConfig? UpstreamTunnel { get; init; }

    public IReadOnlyList<HealthCheckConfig> HealthChecks { get; init; } = [];

    /// <summary>
    /// <c>healthy_panic_threshold</c>: percent (0-100) of endpoints that must pass the health checks
    /// for health to decide where requests go; below it every endpoint is used (Envoy's panic
    /// mode). 0 turns panic off: with no passing endpoint the route answers 503 at once. Default 50,
    /// as Envoy. No effect on a route without <see cref="HealthChecks"/>.
    /// </summary>
    public double HealthyPanicThreshold { get; init; } = DefaultHealthyPanicThreshold;

    public const double DefaultHealthyPanicThreshold = 50;

    public bool PreserveHostHeader { get; init; }

    public string? HostRewrite { get; init; }

    public string? HostRewriteHeader { get; init; }

    /// <summary><c>host_path_regex_rewrite_pattern</c> (a .NET regex that compiled at load).</summary>
    public string? HostPathRegexRewritePattern { get; init; }

    public string? HostPathRegexRewriteSubstitution { get; init; }

    /// <summary><c>timeout</c>: whole-request upstream timeout; zero disables. Default 30 s (as Pomerium).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>idle_timeout</c>: idle stream timeout; zero disables. Default 5 min (as Pomerium).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary><c>tls_skip_verify</c>: accept any certificate from https <c>to</c> upstreams.</summary>
    public bool TlsSkipVerify { get; init; }

    /// <summary><c>tls_upstream_server_name</c>: SNI and name to validate for https upstreams; default the https <c>to</c> host.</summary>
    public string? TlsUpstreamServerName { get; init; }

    /// <summary>
    /// <c>retry_on_tunnel_failure</c>: whether a request whose tunnel failed before any response
    /// byte reached the client is sent once more, on another endpoint. Default <see cref="TunnelRetryPolicy.Idempotent"/>.
    /// </summary>
    public TunnelRetryPolicy RetryOnTunnelFailure { get; init; } = TunnelRetryPolicy.Idempotent;

    /// <summary>
    /// <c>pass_identity_headers</c>: send the signed-in user's identity upstream
    /// (<c>X-Pomerium-Jwt-Assertion</c> and <c>X-Pomerium-Claim-*</c>). Off by default, as in Pomerium.
    /// </summary>
    public bool PassIdentityHeaders { get; init; }
}

/// <summary>
/// A route's <c>from</c>. <see cref="Host"/> is lower-cased for https; a wildcard route keeps
/// its leading "*." in <see cref="Host"/> and sets <see cref="IsWildcard"/>.
/// </summary>
public sealed record RouteFrom(string Scheme, string Host, int? Port, bool IsWildcard, string Original)
{
    public bool IsHttps => Scheme == "https";

    public bool IsSsh => Scheme == "ssh";

    public override string ToString() => Original;
}

/// <summary>One <c>to</c> entry; <see cref="Weight"/> comes from Pomerium's "url,weight" syntax.</summary>
public sealed record RouteTarget(Uri Url, int? Weight)
{
    /// <summary>The port to connect to, with h2c and ssh defaults filled in.</summary>
    public int EffectivePort => Url.Port > 0
        ? Url.Port
        : Url.Scheme switch { "https" => 443, "ssh" => 22, _ => 80 };

    public override string ToString() => Weight is { } w ? $"{Url},{w}" : Url.ToString();
}

/// <summary><c>upstream_tunnel</c>. A null <see cref="SshPolicy"/> admits nobody (as Pomerium).</summary>
public sealed record UpstreamTunnelConfig(PolicyNode? SshPolicy);
