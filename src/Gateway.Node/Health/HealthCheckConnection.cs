using System.Net;
using System.Net.Security;
using Gateway.Actors.Health;

namespace Gateway.Node.Health;

/// <summary>
/// An HTTP client for exactly one health check: a fresh SocketsHttpHandler whose connect callback
/// opens the check's one stream (a second connect is refused rather than opening another channel)
/// and, for https upstreams, does TLS itself with the route's rules: SNI and name check against
/// <c>tls_upstream_server_name</c> or the <c>to</c> host, the system trust store, or no check with
/// <c>tls_skip_verify</c> (as the request path's <c>UpstreamTls</c>), and ALPN for the protocol the
/// check speaks. Disposing it closes the stream.
/// </summary>
internal sealed class HealthCheckConnection : IAsyncDisposable
{
    private readonly HealthProbeTarget _target;
    private readonly Func<CancellationToken, ValueTask<Stream>> _openStream;
    private readonly SslApplicationProtocol _alpn;
    private Stream? _stream;
    private int _connects;

    public HealthCheckConnection(HealthProbeTarget target, Func<CancellationToken, ValueTask<Stream>> openStream, bool http2)
    {
        _target = target;
        _openStream = openStream;
        _alpn = http2 ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11;
        Version = http2 ? HttpVersion.Version20 : HttpVersion.Version11;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectCallback = ConnectAsync,
        };
        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public HttpMessageInvoker Invoker { get; }

    /// <summary>HTTP/1.1 or HTTP/2; sent with RequestVersionExact, so h2c is prior knowledge.</summary>
    public Version Version { get; }

    /// <summary>The URL the request is sent to: its host only keys the handler's pool, the stream is ours.</summary>
    public Uri RequestUri(string pathAndQuery)
        => new($"{(_target.IsHttps ? "https" : "http")}://{_target.Host}:{_target.Port}{pathAndQuery}");

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        if (Interlocked.Increment(ref _connects) != 1)
            throw new HealthProbeException("the connection closed before the response; a check uses one connection");
        var stream = await HealthCheckerBase.OpenAsync(_openStream, ct).ConfigureAwait(false);
        _stream = stream;
        if (!_target.IsHttps)
            return stream;

        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        _stream = tls;
        var serverName = _target.EffectiveTlsServerName;
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                ApplicationProtocols = [_alpn],
                // null: the system trust store and a name check against serverName.
                RemoteCertificateValidationCallback = _target.TlsSkipVerify ? static (_, _, _, _) => true : null,
            }, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new HealthProbeException($"TLS to {serverName} failed: {HealthCheckText.Describe(e)}", e);
        }
        // Returning an authenticated SslStream makes the handler skip its own TLS (since .NET 7).
        return tls;
    }

    public async ValueTask DisposeAsync()
    {
        Invoker.Dispose();
        if (_stream is { } stream)
            await stream.DisposeAsync().ConfigureAwait(false);
    }
}
