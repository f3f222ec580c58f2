namespace Gateway.Actors.Sessions;

/// <summary>Which routes a forward request can serve, decided by the requested port.</summary>
public enum ForwardKind
{
    /// <summary>Port 0: glob over every route's hostname; the gateway speaks SOCKS5 on each channel.</summary>
    Dynamic,
    /// <summary>Port 443: the HTTPS route with exactly this hostname; no SOCKS.</summary>
    StaticHttps,
    /// <summary>Port 22: the SSH route with exactly this name; no SOCKS.</summary>
    StaticSsh,
    /// <summary>Any other port: accepted, but matches no route.</summary>
    Inert,
}

/// <summary>
/// One accepted <c>tcpip-forward</c> request of one SSH connection. <see cref="ServerPort"/> is what
/// forwarded-tcpip opens carry and what cancel names: the virtual port for dynamic requests, the
/// requested port otherwise.
/// </summary>
public sealed record ForwardPermission(HostPattern Pattern, uint RequestedPort, uint ServerPort, ForwardKind Kind, int Sequence)
{
    public bool IsDynamic => Kind == ForwardKind.Dynamic;

    /// <summary>How the request shows in status output: <c>D 40123</c> for dynamic, the port otherwise.</summary>
    public string PortLabel => IsDynamic ? $"D {ServerPort}" : ServerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public bool CanServe(RouteAddress route) => Kind switch
    {
        ForwardKind.Dynamic => Pattern.Matches(route.Hostname),
        ForwardKind.StaticHttps => route.Scheme == RouteScheme.Https && Pattern.Matches(route.Hostname),
        ForwardKind.StaticSsh => route.Scheme == RouteScheme.Ssh && Pattern.Matches(route.Hostname),
        _ => false,
    };
}

public enum RouteScheme { Https, Ssh }

/// <summary>A route as forward requests see it: its hostname (from <c>from</c>) and scheme.</summary>
public sealed record RouteAddress(string Hostname, RouteScheme Scheme)
{
    /// <summary>The fixed port that selects this kind of route in a static request.</summary>
    public uint Port => Scheme == RouteScheme.Https ? 443u : 22u;
}
