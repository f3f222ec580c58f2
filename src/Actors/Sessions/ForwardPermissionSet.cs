namespace Gateway.Actors.Sessions;

/// <summary>
/// The forward requests of one SSH connection, in request order. A route is served by the first
/// live permission that can serve it. Not thread-safe: owned by the connection's session actor.
/// </summary>
public sealed class ForwardPermissionSet
{
    public const int MaxEntries = 128;

    private readonly List<ForwardPermission> _permissions = [];
    private readonly VirtualPortSet _virtualPorts;
    private int _sequence;

    public ForwardPermissionSet(VirtualPortSet? virtualPorts = null) => _virtualPorts = virtualPorts ?? new VirtualPortSet();

    public IReadOnlyList<ForwardPermission> Permissions => _permissions;

    /// <summary>Handles <c>tcpip-forward(bindAddress, port)</c>.</summary>
    public ForwardRequestResult Add(string bindAddress, uint port)
    {
        if (_permissions.Count >= MaxEntries)
            return ForwardRequestResult.Refused("exceeded maximum allowed port-forward requests");
        if (port > 65535)
            return ForwardRequestResult.Refused($"invalid port {port}");

        var kind = port switch
        {
            0 => ForwardKind.Dynamic,
            443 => ForwardKind.StaticHttps,
            22 => ForwardKind.StaticSsh,
            _ => ForwardKind.Inert,
        };
        var pattern = kind == ForwardKind.Dynamic ? HostPattern.Glob(bindAddress) : HostPattern.Exact(bindAddress);

        if (kind != ForwardKind.Dynamic && _permissions.Any(p => p.ServerPort == port && p.Pattern.IsEquivalentTo(pattern)))
            return ForwardRequestResult.Refused($"received duplicate port forward request (host: {bindAddress}, port: {port})");

        uint serverPort = port;
        if (kind == ForwardKind.Dynamic)
        {
            var allocated = _virtualPorts.Allocate();
            if (allocated is null) return ForwardRequestResult.Refused("no virtual port left for this connection");
            serverPort = allocated.Value;
        }

        var permission = new ForwardPermission(pattern, port, serverPort, kind, _sequence++);
        _permissions.Add(permission);
        return ForwardRequestResult.Accepted(permission, kind == ForwardKind.Inert
            ? $"port {port} matches no route: request 0 (dynamic), 443 (HTTPS routes) or 22 (SSH routes)"
            : null);
    }

    /// <summary>Handles <c>cancel-tcpip-forward</c>: by the exact pattern string and the server port.</summary>
    public ForwardPermission? Cancel(string bindAddress, uint port)
    {
        var index = _permissions.FindIndex(p => p.ServerPort == port && p.Pattern.Text == bindAddress);
        if (index < 0) return null;
        var removed = _permissions[index];
        _permissions.RemoveAt(index);
        if (removed.IsDynamic) _virtualPorts.Release(removed.ServerPort);
        return removed;
    }

    /// <summary>The permission that serves <paramref name="route"/>: the first in request order that can.</summary>
    public ForwardPermission? Match(RouteAddress route)
    {
        foreach (var permission in _permissions)
            if (permission.CanServe(route)) return permission;
        return null;
    }
}

public sealed record ForwardRequestResult(bool Success, ForwardPermission? Permission, string? Message)
{
    public static ForwardRequestResult Accepted(ForwardPermission permission, string? notice) => new(true, permission, notice);
    public static ForwardRequestResult Refused(string message) => new(false, null, message);

    /// <summary>The port to put in REQUEST_SUCCESS: only for port-0 requests (RFC 4254 §7.1).</summary>
    public uint? ReplyPort => Permission is { RequestedPort: 0 } p ? p.ServerPort : null;
}
