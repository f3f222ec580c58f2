using System.Net;
using System.Net.Sockets;
using Gateway.Config;

namespace Gateway.Node.Relay;

/// <summary>
/// The relay port, bound when constructed: the cluster advertises <see cref="Advertised"/> in this
/// node's roles, so the port must be known before the actor system starts (and the listener
/// serves on it only once the node has started, <see cref="RelayServer"/>).
/// </summary>
public sealed class RelayListenerSocket : IDisposable
{
    /// <exception cref="IOException">when the address cannot be bound (port in use).</exception>
    public RelayListenerSocket(HostPort? relayAddress, string clusterHostname)
    {
        var configured = relayAddress ?? new HostPort(clusterHostname, 0);
        var endpoint = Hosting.ListenAddress.Resolve(configured);
        Socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6) Socket.DualMode = true;
            Socket.Bind(endpoint);
            Socket.Listen(512);
        }
        catch (SocketException ex)
        {
            Socket.Dispose();
            throw new IOException($"cannot listen for the relay on {configured}: {ex.Message}", ex);
        }
        var port = ((IPEndPoint)Socket.LocalEndPoint!).Port;
        var anyAddress = configured.Host.Length == 0 || configured.Host == "*"
            || (IPAddress.TryParse(configured.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)));
        Advertised = new DnsEndPoint(anyAddress ? clusterHostname : configured.Host.Trim('[', ']'), port);
    }

    /// <summary>The address other nodes dial (the bound port; the cluster hostname if bound to any-address).</summary>
    public DnsEndPoint Advertised { get; }

    public Socket Socket { get; }

    public void Dispose() => Socket.Dispose();
}
