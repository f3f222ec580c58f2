namespace Gateway.Actors.Health;

/// <summary>
/// What a health check is aimed at: one <c>to</c> URL of the route (http, https or h2c, the same
/// rules as the request path's upstream URLs) and the route's upstream TLS settings. The bytes go
/// over whatever stream the caller opens; the URL decides the protocol, the default Host or
/// :authority, and the TLS name.
/// </summary>
public sealed record HealthProbeTarget
{
    public HealthProbeTarget(Uri upstream, string? tlsServerName = null, bool tlsSkipVerify = false)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        if (!upstream.IsAbsoluteUri)
            throw new ArgumentException($"'{upstream}' is not an absolute URL", nameof(upstream));
        var scheme = upstream.Scheme.ToLowerInvariant();
        if (scheme is not ("http" or "https" or "h2c"))
            throw new ArgumentException($"'{upstream}' has scheme '{upstream.Scheme}'; expected http, https or h2c", nameof(upstream));
        Upstream = upstream;
        TlsServerName = string.IsNullOrEmpty(tlsServerName) ? null : tlsServerName;
        TlsSkipVerify = tlsSkipVerify;
    }

    /// <summary>The route's <c>to</c> URL this check stands for.</summary>
    public Uri Upstream { get; }

    /// <summary><c>tls_upstream_server_name</c>, or null for the <c>to</c> host.</summary>
    public string? TlsServerName { get; }

    /// <summary><c>tls_skip_verify</c>: accept any certificate from an https upstream.</summary>
    public bool TlsSkipVerify { get; }

    public bool IsHttps => Upstream.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase);

    public bool IsH2c => Upstream.Scheme.Equals("h2c", StringComparison.OrdinalIgnoreCase);

    /// <summary>h2c has no default port in <see cref="Uri"/>; it follows http.</summary>
    public int Port => Upstream.IsDefaultPort && IsH2c ? 80 : Upstream.Port;

    /// <summary>The <c>to</c> host as it goes into a header: IDN as punycode, IPv6 in brackets.</summary>
    public string Host => Upstream.HostNameType == UriHostNameType.IPv6 ? Upstream.Host : Upstream.IdnHost;

    /// <summary>
    /// <c>&lt;to-addr&gt;:&lt;port&gt;</c>, always with the port: the Host or :authority a check
    /// sends when the check names none (Pomerium's tunnel health checks show exactly this).
    /// </summary>
    public string DefaultAuthority => $"{Host}:{Port}";

    /// <summary>SNI and the name the certificate must carry for an https upstream.</summary>
    public string EffectiveTlsServerName => TlsServerName ?? Upstream.IdnHost;
}
