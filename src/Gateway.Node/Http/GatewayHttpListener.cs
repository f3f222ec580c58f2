using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Gateway.Node.Http;

/// <summary>
/// The route listener (<c>address</c>). TLS: HTTP/1.1 and HTTP/2 chosen by ALPN, certificate
/// chosen per SNI name. <c>insecure_server</c>: plain HTTP/1.1 only. Checked on .NET 10: Kestrel's
/// Http1AndHttp2 on a cleartext endpoint picks HTTP/1.1 without looking for the HTTP/2 preface
/// (curl --http2-prior-knowledge gets an empty reply), and it never implements Upgrade: h2c.
/// Cleartext h2c would need an Http2-only endpoint, which would refuse HTTP/1.1 clients.
/// </summary>
public static class GatewayHttpListener
{
    public static void Configure(WebApplicationBuilder builder, IPEndPoint address, bool insecure, ICertificateSelector? certificates)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.ConfigureKestrel(kestrel => Apply(kestrel, address, insecure, certificates));
    }

    /// <summary>Adds the route listener to Kestrel's options (for hosts composed from services).</summary>
    public static void Apply(KestrelServerOptions kestrel, IPEndPoint address, bool insecure, ICertificateSelector? certificates)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(address);
        if (!insecure)
            ArgumentNullException.ThrowIfNull(certificates);
        // Large uploads and long streams are the upstream's business, as with Pomerium.
        kestrel.Limits.MaxRequestBodySize = null;
        kestrel.AddServerHeader = false;
        kestrel.RequestHeaderEncodingSelector = RawConnectionHeader.SelectEncoding;
        kestrel.Listen(address, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.Use(RawConnectionHeader.Middleware);
            if (!insecure)
            {
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificateSelector = (_, name) => certificates!.Select(name),
                });
            }
        });
    }
}
