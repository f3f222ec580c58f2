using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Node.Http;

namespace Gateway.Node.Tests.Http.Support;

/// <summary>
/// Stands in for the SSH tunnel layer: "opening a channel" is a real TCP connection to a local
/// upstream. Records every dial so tests can count channels.
/// </summary>
public sealed class TestTunnelDialer : ITunnelDialer
{
    private readonly ConcurrentDictionary<string, IPEndPoint> _endpoints = new(StringComparer.Ordinal);

    public ConcurrentQueue<TunnelDialRequest> Dials { get; } = new();

    /// <summary>When set, called before dialing; an exception it returns is thrown (refused channel).</summary>
    public Func<TunnelDialRequest, Exception?>? Fail { get; set; }

    /// <summary>An endpoint that forwards to a fixed local server (static -R).</summary>
    public void MapEndpoint(string endpointId, IPEndPoint target) => _endpoints[endpointId] = target;

    /// <summary>
    /// A route's live endpoints, for the proxy's stand-in destination (<see cref="ProxyConfigBuilder.AnyEndpoint"/>):
    /// as the real dialer, it takes one of them (not the one to avoid) or answers that none is connected.
    /// </summary>
    public Func<string, IReadOnlyList<string>>? LiveEndpoints { get; set; }

    /// <summary>Endpoints not mapped connect to the <c>to</c> URL's host and port (dynamic -R with SOCKS).</summary>
    public async ValueTask<Stream> DialAsync(TunnelDialRequest request, CancellationToken ct)
    {
        if (request.DestinationId == ProxyConfigBuilder.AnyEndpoint)
        {
            var live = LiveEndpoints?.Invoke(request.RouteId).FirstOrDefault(e => e != request.AvoidEndpointId)
                ?? throw new NoTunnelEndpointException(request.RouteId);
            request = request with { DestinationId = live };
        }
        Dials.Enqueue(request);
        if (Fail?.Invoke(request) is { } failure)
            throw failure;
        var target = _endpoints.TryGetValue(request.DestinationId, out var mapped)
            ? mapped
            : new IPEndPoint(IPAddress.Parse(request.Upstream.Host), request.Upstream.Port);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new TunnelOpenFailedException($"connect to {target} failed: {e.SocketErrorCode}", e);
        }
    }
}
