using Gateway.Actors.Sessions;
using Gateway.Config;
using Gateway.Node.Http;
using Gateway.Policy;

namespace Gateway.Node.Routing;

/// <summary>
/// One route as the node runs it, compiled once at start from its validated
/// <see cref="RouteConfig"/>: everything derived from the route as written (address, whether it
/// takes tunnel endpoints, compiled policies, Host header rules, timeouts, upstream TLS).
/// Immutable, and only <see cref="Compile"/> builds one, so every consumer sees the same
/// decisions. Live state (the route's endpoints) is kept apart, in the endpoint table.
/// </summary>
public sealed class RouteModel
{
    private RouteModel()
    {
    }

    /// <summary>Stable id: YARP route and cluster id, shard key, status key.</summary>
    public required string Id { get; init; }

    /// <summary>
    /// The <c>from</c> host and scheme, as <c>-R</c> requests match it; its <see cref="RouteAddress.Port"/>
    /// is the port a static forward names (443 https, 22 ssh). Wildcards keep their leading <c>*.</c>.
    /// </summary>
    public required RouteAddress Address { get; init; }

    public string Host => Address.Hostname;

    /// <summary>An https route, served by the HTTP proxy (ssh routes are not).</summary>
    public bool IsHttps => Address.Scheme == RouteScheme.Https;

    public required bool IsWildcard { get; init; }

    /// <summary>The <c>to</c> URLs, in order, as written (also ssh:// and tcp:// for ssh routes).</summary>
    public required IReadOnlyList<Uri> To { get; init; }

    /// <summary>The <c>to</c> URLs of an https route with their weights; empty for ssh routes.</summary>
    public required IReadOnlyList<UpstreamUrl> HttpUpstreams { get; init; }

    /// <summary>
    /// True: the route's upstreams are SSH clients (tunnel endpoints). Decided here only:
    /// <c>upstream_tunnel</c> is set and the runtime flag <c>ssh_upstream_tunnel</c> is on.
    /// False: an https route sends traffic directly to its <c>to</c> URLs.
    /// </summary>
    public required bool UsesTunnel { get; init; }

    /// <summary><c>upstream_tunnel</c> is set but the runtime flag turned tunnels off (logged at start).</summary>
    public required bool TunnelDisabled { get; init; }

    /// <summary><c>upstream_tunnel.ssh_policy</c>: who may be a tunnel endpoint; admits nobody when absent or not a tunnel route.</summary>
    public required CompiledPolicy SshPolicy { get; init; }

    /// <summary><c>policy</c>: who may use the route; admits nobody when absent.</summary>
    public required CompiledPolicy Policy { get; init; }

    public required bool AllowPublicUnauthenticatedAccess { get; init; }

    /// <summary>Who may use the route, comparable between routes (the SNI and Host check).</summary>
    public required RouteAccess Access { get; init; }

    public required bool PreserveHostHeader { get; init; }

    public required string? HostRewrite { get; init; }

    public required string? HostRewriteHeader { get; init; }

    public required string? HostPathRegexRewritePattern { get; init; }

    public required string? HostPathRegexRewriteSubstitution { get; init; }

    /// <summary>Whole-request timeout; null (config <c>timeout = 0</c>) for none.</summary>
    public required TimeSpan? Timeout { get; init; }

    /// <summary>Longest pause between upstream reads or writes; null (config <c>idle_timeout = 0</c>) for YARP's default (100 s).</summary>
    public required TimeSpan? IdleTimeout { get; init; }

    public required bool TlsSkipVerify { get; init; }

    /// <summary>SNI and name to validate for https upstreams: <c>tls_upstream_server_name</c>, else the https <c>to</c> host; null without https upstreams.</summary>
    public required string? TlsServerName { get; init; }

    /// <summary><c>retry_on_tunnel_failure</c>; only tunnel routes retry (see <c>Http/TunnelRetryMiddleware</c>).</summary>
    public TunnelRetryPolicy RetryOnTunnelFailure { get; init; } = TunnelRetryPolicy.Idempotent;

    /// <summary>The route has <c>health_checks</c>: its endpoints' health decides where requests go.</summary>
    public bool HasHealthChecks { get; init; }

    /// <summary><c>healthy_panic_threshold</c> in percent (Envoy's default 50; 0: no panic, fail fast).</summary>
    public double HealthyPanicThreshold { get; init; } = RouteConfig.DefaultHealthyPanicThreshold;

    /// <summary><c>pass_identity_headers</c>: the signed-in user's identity goes upstream in headers.</summary>
    public bool PassIdentityHeaders { get; init; }

    /// <summary>
    /// True when this route's host covers <paramref name="host"/>: equal ignoring case, or for
    /// <c>*.suffix</c> any name with a non-empty prefix before the suffix (ASP.NET Core's and
    /// Envoy's rule, so that it agrees with how requests are routed).
    /// </summary>
    public bool CoversHost(string host)
    {
        if (!IsWildcard)
            return Host.Equals(host, StringComparison.OrdinalIgnoreCase);
        var suffix = Host.AsSpan(1);
        return host.Length > suffix.Length && host.AsSpan().EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Compiles one validated route; <paramref name="path"/> (e.g. <c>routes[2]</c>) prefixes policy error paths.</summary>
    /// <exception cref="PolicyParseException">a policy the config loader did not validate.</exception>
    public static RouteModel Compile(RouteConfig route, string path, RuntimeFlags flags)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(flags);
        var usesTunnel = route.UpstreamTunnel is not null && flags.SshUpstreamTunnel;
        var upstreams = route.From.IsHttps ? route.To.Select(t => new UpstreamUrl(t.Url, t.Weight ?? 1)).ToList() : [];
        return new RouteModel
        {
            Id = route.Id,
            Address = new RouteAddress(route.From.Host, route.From.IsSsh ? RouteScheme.Ssh : RouteScheme.Https),
            IsWildcard = route.From.IsWildcard,
            To = route.To.Select(t => t.Url).ToList(),
            HttpUpstreams = upstreams,
            UsesTunnel = usesTunnel,
            TunnelDisabled = route.UpstreamTunnel is not null && !usesTunnel,
            SshPolicy = usesTunnel ? PolicyCompiler.Compile(route.UpstreamTunnel!.SshPolicy, path + ".upstream_tunnel.ssh_policy") : CompiledPolicy.DenyAll,
            Policy = PolicyCompiler.Compile(route.Policy, path + ".policy"),
            AllowPublicUnauthenticatedAccess = route.AllowPublicUnauthenticatedAccess,
            Access = new RouteAccess(route.AllowPublicUnauthenticatedAccess, route.Policy?.ToString() ?? ""),
            PreserveHostHeader = route.PreserveHostHeader,
            HostRewrite = route.HostRewrite,
            HostRewriteHeader = route.HostRewriteHeader,
            HostPathRegexRewritePattern = route.HostPathRegexRewritePattern,
            HostPathRegexRewriteSubstitution = route.HostPathRegexRewriteSubstitution,
            Timeout = route.Timeout > TimeSpan.Zero ? route.Timeout : null,
            IdleTimeout = route.IdleTimeout > TimeSpan.Zero ? route.IdleTimeout : null,
            TlsSkipVerify = route.TlsSkipVerify,
            TlsServerName = string.IsNullOrEmpty(route.TlsUpstreamServerName)
                ? upstreams.FirstOrDefault(u => u.IsHttps)?.Url.IdnHost
                : route.TlsUpstreamServerName,
            RetryOnTunnelFailure = route.RetryOnTunnelFailure,
            HealthChecks = usesTunnel ? route.HealthChecks : [],
            HasHealthChecks = route.HealthChecks.Count > 0,
            HealthyPanicThreshold = route.HealthyPanicThreshold,
            PassIdentityHeaders = route.PassIdentityHeaders,
        };
    }

    /// <summary>The route's <c>health_checks</c>, run through each of its tunnels; empty for routes without tunnels.</summary>
    public IReadOnlyList<HealthCheckConfig> HealthChecks { get; init; } = [];

    public override string ToString() => $"{Id} ({(IsHttps ? "https" : "ssh")}://{Host})";
}
