using System.Net.Security;

namespace Gateway.Node.Http;

/// <summary>
/// TLS to an https:// upstream, run end to end over a tunnel stream. The gateway does this itself
/// rather than leaving it to SocketsHttpHandler because the handler takes SNI from the Host
/// header, which over a tunnel is the downstream name, not the upstream's (Pomerium sends the
/// <c>to</c> host or tls_upstream_server_name). HTTP/1.1 is negotiated inside.
/// </summary>
public static class UpstreamTls
{
    private static readonly List<SslApplicationProtocol> Http11 = [SslApplicationProtocol.Http11];

    public static async ValueTask<Stream> AuthenticateAsync(Stream inner, string serverName, bool skipVerify, CancellationToken ct)
    {
        var tls = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                ApplicationProtocols = Http11,
                // null: the system trust store and a name check against serverName.
                RemoteCertificateValidationCallback = skipVerify ? static (_, _, _, _) => true : null,
            }, ct).ConfigureAwait(false);
            return tls;
        }
        catch (Exception e)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new TunnelOpenFailedException($"TLS to upstream {serverName} failed: {e.Message}", e);
        }
    }
}
