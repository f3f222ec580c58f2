using System.Net;
using Gateway.Config;

namespace Gateway.Node.Hosting;

/// <summary>Turns a configured <c>host:port</c> into a socket address to bind.</summary>
public static class ListenAddress
{
    public static IPEndPoint Resolve(HostPort address)
    {
        if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip)) return new IPEndPoint(ip, address.Port);
        if (address.Host.Length == 0 || address.Host == "*") return new IPEndPoint(IPAddress.IPv6Any, address.Port);
        if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase)) return new IPEndPoint(IPAddress.Loopback, address.Port);
        var resolved = Dns.GetHostAddresses(address.Host);
        if (resolved.Length == 0) throw new InvalidOperationException($"cannot resolve listen address {address.Host}");
        return new IPEndPoint(resolved[0], address.Port);
    }
}
