using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Tests.Health.Support;

public enum HealthUpstreamMode
{
    Http1,
    H2c,
    Https,
}

/// <summary>
/// A real Kestrel upstream on 127.0.0.1 for HTTP health checks. <c>/health</c> answers
/// <see cref="Status"/> with <see cref="Body"/> (and <c>x-envoy-degraded</c> when
/// <see cref="Degraded"/>); <c>/hang</c> never answers. Records what the last request carried and
/// counts TCP connections opened and closed.
/// </summary>
public sealed class HealthUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connectionsOpened;
    private int _connectionsClosed;

    private HealthUpstream(WebApplication app) => _app = app;

    public IPEndPoint EndPoint { get; private set; } = null!;

    public volatile int Status = 200;

    public volatile bool Degraded;

    public volatile string Body = "ok";

    public string? LastHost { get; private set; }

    public string? LastUserAgent { get; private set; }

    public string? LastProtocol { get; private set; }

    public string? LastScheme { get; private set; }

    public string? LastSni { get; private set; }

    public int ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    public int ConnectionsClosed => Volatile.Read(ref _connectionsClosed);

    public static async Task<HealthUpstream> StartAsync(HealthUpstreamMode mode = HealthUpstreamMode.Http1, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        HealthUpstream? self = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Use(next => async connection =>
                {
                    Interlocked.Increment(ref self!._connectionsOpened);
                    try
                    {
                        await next(connection);
                    }
                    finally
                    {
                        Interlocked.Increment(ref self._connectionsClosed);
                    }
                });
                listen.Protocols = mode switch
                {
                    HealthUpstreamMode.H2c => HttpProtocols.Http2,
                    HealthUpstreamMode.Https => HttpProtocols.Http1AndHttp2,
                    _ => HttpProtocols.Http1,
                };
                if (mode == HealthUpstreamMode.Https)
                {
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificateSelector = (_, sni) =>
                        {
                            self!.LastSni = sni;
                            return certificate;
                        },
                    });
                }
            });
        });
        var app = builder.Build();
        self = new HealthUpstream(app);
        app.Map("/hang", async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        app.MapFallback(async context =>
        {
            var request = context.Request;
            self.LastHost = request.Host.Value;
            self.LastUserAgent = request.Headers.UserAgent.Count == 0 ? null : request.Headers.UserAgent.ToString();
            self.LastProtocol = request.Protocol;
            self.LastScheme = request.Scheme;
            context.Response.StatusCode = self.Status;
            if (self.Degraded)
                context.Response.Headers["x-envoy-degraded"] = "";
            await context.Response.WriteAsync(self.Body);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self.EndPoint = new IPEndPoint(IPAddress.Loopback, new Uri(address).Port);
        return self;
    }

    /// <summary>Waits until every connection the server accepted has ended.</summary>
    public async Task WaitForAllClosedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ConnectionsClosed < ConnectionsOpened)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{ConnectionsOpened - ConnectionsClosed} upstream connection(s) still open after {timeout}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        await _app.DisposeAsync();
    }
}
