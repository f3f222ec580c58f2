using System.Net;
using System.Net.NetworkInformation;
using Gateway.Config;
using Gateway.Ssh;
using Microsoft.Net.Http.Headers;

namespace Gateway.Node.Status;

/// <summary>
/// Who may use the status listener's admin paths (<c>/status</c>, <c>POST /drain</c>): a request
/// whose Host is one of the listener's names (421 otherwise: a page on another site whose name
/// resolves to this address, DNS rebinding, is refused), carrying the bearer token (401 otherwise,
/// so a cross-site form or <c>fetch</c> without it cannot drain the node), when a token is
/// configured at all (403 otherwise). <c>/healthz</c> and <c>/readyz</c> stay open for probes.
/// </summary>
public sealed class StatusAccess
{
    private readonly StatusToken _token;
    private readonly HashSet<string> _names;
    private readonly HashSet<string> _hostPorts;
    private readonly ILogger _logger;

    public StatusAccess(StatusToken token, IPEndPoint bound, IReadOnlyList<string> configured, ILogger logger)
    {
        _token = token;
        _logger = logger;
        // Names match on any port: a published container port (127.0.0.1:18081 -> 8081) changes the
        // port the client writes, and rebinding is about the name. Configured name:port entries match exactly.
        _names = new HashSet<string>(StringComparer.Ordinal) { "localhost", "127.0.0.1", "[::1]" };
        _hostPorts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var address in ListenerAddresses(bound))
            _names.Add(StatusHosts.Normalize(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString())!);
        if (IPAddress.Any.Equals(bound.Address) || IPAddress.IPv6Any.Equals(bound.Address))
            if (StatusHosts.Normalize(Dns.GetHostName()) is { } machine) _names.Add(machine);
        foreach (var entry in configured)
            (StatusHosts.HostOf(entry) == entry ? _names : _hostPorts).Add(entry);
    }

    public bool TokenConfigured => _token.IsConfigured;

    /// <summary>Null when the request may proceed; otherwise the answer it gets.</summary>
    public IResult? Check(HttpContext context)
    {
        var host = StatusHosts.Normalize(context.Request.Host.Value ?? "");
        if (host is null || !(_hostPorts.Contains(host) || _names.Contains(StatusHosts.HostOf(host))))
        {
            Refused(context, $"Host {PeerText.Sanitize(context.Request.Host.Value)} is not one of this listener's names");
            return Results.Text("421 misdirected request: this listener does not serve that host name " +
                "(add it to cluster.status_allowed_hosts)\n", statusCode: StatusCodes.Status421MisdirectedRequest);
        }
        if (!_token.IsConfigured)
        {
            Refused(context, "no status token is configured");
            return Results.Text($"403 forbidden: {context.Request.Path} needs a token, and none is configured; " +
                $"set {StatusToken.EnvironmentVariable} or cluster.status_token_file, then send \"Authorization: Bearer <token>\"\n",
                statusCode: StatusCodes.Status403Forbidden);
        }
        var authorization = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || !_token.Matches(authorization[scheme.Length..].Trim()))
        {
            Refused(context, authorization.Length == 0 ? "no bearer token" : "wrong bearer token");
            context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer realm=\"gateway status\"";
            return Results.Text("401 unauthorized: send \"Authorization: Bearer <token>\" (the node's status token)\n",
                statusCode: StatusCodes.Status401Unauthorized);
        }
        return null;
    }

    private void Refused(HttpContext context, string reason)
        => _logger.LogWarning("status listener: refused {Method} {Path} from {Peer}: {Reason}",
            context.Request.Method, PeerText.Sanitize(context.Request.Path.Value), context.Connection.RemoteIpAddress, reason);

    /// <summary>The bound address, or every address of this machine for a wildcard bind.</summary>
    private static IEnumerable<IPAddress> ListenerAddresses(IPEndPoint bound)
    {
        if (!IPAddress.Any.Equals(bound.Address) && !IPAddress.IPv6Any.Equals(bound.Address))
            return [bound.Address.IsIPv4MappedToIPv6 ? bound.Address.MapToIPv4() : bound.Address];
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)
                .Select(a => a.IsIPv6LinkLocal ? new IPAddress(a.GetAddressBytes()) : a).ToList();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
