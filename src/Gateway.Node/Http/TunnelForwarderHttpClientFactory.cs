using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Node.Http;

/// <summary>
/// Builds YARP's per-cluster HTTP client. Its connect callback turns a synthetic destination host
/// into a tunnel dial, so everything above the byte stream (HTTP/1.1, h2c, TLS to https upstreams,
/// upgrades, pooling) is SocketsHttpHandler's ordinary work over the channel.
/// </summary>
public sealed class TunnelForwarderHttpClientFactory : ForwarderHttpClientFactory
{
    /// <summary>Set on each proxied request so the first request of a connection names the originator.</summary>
    public static readonly HttpRequestOptionsKey<IPEndPoint> DownstreamKey = new("gateway.downstream");

    /// <summary>Set on each proxied request so a failed tunnel open names the request whose page the visitor saw.</summary>
    public static readonly HttpRequestOptionsKey<string> RequestIdKey = new("gateway.request-id");

    /// <summary>Set on a retried request: the endpoint its first attempt failed on, which the dialer must not fall back to.</summary>
    public static readonly HttpRequestOptionsKey<string> AvoidEndpointKey = new("gateway.avoid-endpoint");

    private readonly ITunnelDialer _dialer;
    private readonly TunnelDestinationTable _destinations;
    private readonly GatewayHttpOptions _options;

    public TunnelForwarderHttpClientFactory(
        ITunnelDialer dialer,
        TunnelDestinationTable destinations,
        GatewayHttpOptions options,
        ILogger<ForwarderHttpClientFactory> logger)
        : base(logger)
    {
        _dialer = dialer;
        _destinations = destinations;
        _options = options;
    }

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);

        handler.UseProxy = false;
        handler.AllowAutoRedirect = false;
        handler.AutomaticDecompression = DecompressionMethods.None;
        handler.UseCookies = false;
        handler.PooledConnectionLifetime = _options.PooledConnectionLifetime;
        handler.PooledConnectionIdleTimeout = UsesTunnel(context.NewMetadata)
            ? GatewayHttpOptions.TunnelPooledConnectionIdleTimeout
            : GatewayHttpOptions.PooledConnectionIdleTimeout;
        handler.ConnectTimeout = GatewayHttpOptions.ConnectTimeout;

        string? tlsName = null;
        if (context.NewMetadata is { } metadata && metadata.TryGetValue(ProxyMetadata.TlsServerName, out var name))
        {
            tlsName = name;
            // Direct https routes: the handler does TLS. SocketsHttpHandler takes SNI from the
            // Host header when one is set, so this applies when Host is the destination's.
            handler.SslOptions.TargetHost = name;
        }
        var skipVerify = context.NewConfig.DangerousAcceptAnyServerCertificate ?? false;
        handler.ConnectCallback = (connection, ct) => ConnectAsync(connection, tlsName, skipVerify, ct);
    }

    /// <summary>Clients are rebuilt when the cluster's metadata (e.g. TLS name) changes, not only its client config.</summary>
    protected override bool CanReuseOldClient(ForwarderHttpClientContext context)
        => base.CanReuseOldClient(context) && SameMetadata(context.OldMetadata, context.NewMetadata);

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, string? tlsName, bool skipVerify, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        if (TunnelDestinationTable.IsSyntheticHost(host))
        {
            if (!_destinations.TryResolve(host, out var destination))
                throw new TunnelOpenFailedException($"tunnel endpoint for {host} is gone");
            context.InitialRequestMessage.Options.TryGetValue(DownstreamKey, out var downstream);
            context.InitialRequestMessage.Options.TryGetValue(RequestIdKey, out var requestId);
            context.InitialRequestMessage.Options.TryGetValue(AvoidEndpointKey, out var avoid);
            var request = new TunnelDialRequest(destination.RouteId, destination.EndpointId, destination.Upstream, downstream, requestId, avoid,
                context.InitialRequestMessage.RequestUri?.AbsolutePath);
            var stream = await _dialer.DialAsync(request, ct).ConfigureAwait(false);
            if (!destination.Upstream.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
                return stream;
            return await UpstreamTls.AuthenticateAsync(stream, tlsName ?? destination.Upstream.IdnHost, skipVerify, ct).ConfigureAwait(false);
        }

        // Direct route (tunnels disabled): an ordinary TCP connection with Nagle off.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool UsesTunnel(IReadOnlyDictionary<string, string>? metadata)
        => metadata is not null && metadata.TryGetValue(ProxyMetadata.UsesTunnel, out var value) && value == "true";

    private static bool SameMetadata(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        if (ReferenceEquals(a, b))
            return true;
        if (a is null || b is null || a.Count != b.Count)
            return (a?.Count ?? 0) == 0 && (b?.Count ?? 0) == 0;
        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || other != value)
                return false;
        }
        return true;
    }
}
