using Gateway.Actors.Sessions;
using System.Net;
using System.Net.Sockets;
using Gateway.Actors.Endpoints;
using Gateway.Config;
using Gateway.Contracts.Tunnels;
using Gateway.Node.ClusterSecurity;
using Gateway.Node.Relay;
using Gateway.Node.Routing;
using Gateway.Node.Tunnels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// The relay listener as someone who can reach its port but holds no token sees it: anything but a
/// valid, unused token is refused after the header, and a silent peer is cut off.
/// </summary>
public sealed class RelayServerTests : IAsyncLifetime
{
    private static readonly RelayTls Plaintext = new(new ClusterTls(new GatewayConfig()));
    private static readonly EndpointSuspects Suspects = new();
    private static readonly DataPathCounters Counters = new();
    private readonly RelayTicketStore _tickets = new();
    private RelayServer _server = null!;

    public async Task InitializeAsync()
    {
        var tunnels = new LocalTunnelRegistry();
        var relayClient = new RelayClient(new ServiceCollection().BuildServiceProvider(), Suspects, Plaintext, Counters, NullLogger<RelayClient>.Instance);
        var dialer = new TunnelDialer(new EndpointTable(), new LocalEndpoints(new EndpointTable()), tunnels, new TunnelRouteCatalog(RouteTable.Empty), relayClient, Suspects, Counters, NullLogger<TunnelDialer>.Instance);
        _server = new RelayServer(new RelayListenerSocket(new HostPort("127.0.0.1", 0), "127.0.0.1"), _tickets, tunnels, dialer, Plaintext, Counters, new GatewayConfig(), NullLogger<RelayServer>.Instance);
        await _server.StartedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(byte Status, string Reason)> SendAsync(byte[] header)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _server.Advertised.Port));
        await using var stream = new NetworkStream(socket);
        await stream.WriteAsync(header);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await RelayProtocol.ReadReplyAsync(stream, timeout.Token);
    }

    [Fact]
    public async Task Foreign_bytes_are_refused()
    {
        var http = "GET / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"u8.ToArray();
        Assert.Equal((RelayProtocol.Refused, "invalid token"), await SendAsync(http[..RelayProtocol.HeaderLength]));
    }

    [Fact]
    public async Task An_unknown_token_and_a_used_token_are_refused()
    {
        Assert.Equal(RelayProtocol.Refused, (await SendAsync(RelayProtocol.Header("0123456789abcdef0123456789abcdef"))).Status);

        var endpoint = new TunnelEndpoint("s1/r1", "r1", "akka.tcp://gateway@127.0.0.1:1", "s1", "alice@example.com", "127.0.0.1:2", true, "localhost", 0, DateTimeOffset.UnixEpoch);
        var token = _tickets.Issue(new RelayTicket(endpoint, new Uri("http://127.0.0.1:3"), null))!;
        // Valid token, but the SSH connection is gone: "gone" (the dialer tries another endpoint
        // without counting a failure) with the reason, and the token is spent.
        Assert.Equal((RelayProtocol.Gone, "the tunnel closed"), await SendAsync(RelayProtocol.Header(token)));
        Assert.Equal((RelayProtocol.Refused, "invalid token"), await SendAsync(RelayProtocol.Header(token)));
    }

    [Fact]
    public async Task A_peer_that_sends_no_header_is_disconnected()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _server.Advertised.Port));
        await socket.SendAsync("GWR1"u8.ToArray());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var started = DateTime.UtcNow;
        var read = await socket.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token);
        Assert.Equal(0, read);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(12));
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_closed_on_accept()
    {
        var tunnels = new LocalTunnelRegistry();
        var relayClient = new RelayClient(new ServiceCollection().BuildServiceProvider(), Suspects, Plaintext, Counters, NullLogger<RelayClient>.Instance);
        var dialer = new TunnelDialer(new EndpointTable(), new LocalEndpoints(new EndpointTable()), tunnels, new TunnelRouteCatalog(RouteTable.Empty), relayClient, Suspects, Counters, NullLogger<TunnelDialer>.Instance);
        await using var small = new RelayServer(new RelayListenerSocket(new HostPort("127.0.0.1", 0), "127.0.0.1"), _tickets, tunnels, dialer, Plaintext, Counters, NullLogger.Instance, maxConnections: 2);
        await small.StartedAsync(CancellationToken.None);

        var open = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                open.Add(socket);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, small.Advertised.Port));
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
                while (small.ActiveConnections < Math.Min(i + 1, 2) && DateTime.UtcNow < deadline) await Task.Delay(10);
            }
            Assert.Equal(2, small.ActiveConnections);
            // The third was accepted and closed at once, well before the 5 s header timeout.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            Assert.Equal(0, await open[2].ReceiveAsync(new byte[1], SocketFlags.None, timeout.Token));
        }
        finally
        {
            foreach (var socket in open) socket.Dispose();
        }
    }
}
