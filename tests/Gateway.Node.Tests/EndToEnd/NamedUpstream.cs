using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// A real HTTP server on a loopback port (Kestrel) standing in for a user's local service: it
/// answers with its own name, the Host header it saw and the path, so tests can tell upstreams apart.
/// A path starting with <c>/close</c> gets <c>Connection: close</c>: Kestrel then ends the
/// connection, which is how a test sees a pooled upstream connection (a tunnel channel) close.
/// <c>/health</c> answers <see cref="HealthStatus"/>, so a test decides what health checks find.
/// </summary>
public sealed class NamedUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private NamedUpstream(WebApplication app, string name, int port)
    {
        _app = app;
        Name = name;
        Port = port;
    }

    public string Name { get; }
    public int Port { get; }
    public int Requests => Volatile.Read(ref _requests);
    public volatile int HealthStatus = 200;

    /// <summary>When set, <c>/health</c> also carries <c>x-envoy-degraded</c>.</summary>
    public volatile bool Degraded;
    public string Url => $"http://127.0.0.1:{Port}";

    public static async Task<NamedUpstream> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        NamedUpstream? self = null;
        app.Run(async context =>
        {
            if (context.Request.Path == "/health")
            {
                context.Response.StatusCode = self!.HealthStatus;
                if (self.Degraded) context.Response.Headers["x-envoy-degraded"] = "";
                await context.Response.WriteAsync("health");
                return;
            }
            Interlocked.Increment(ref self!._requests);
            if (context.Request.Path.StartsWithSegments("/close")) context.Response.Headers.Connection = "close";
            await context.Response.WriteAsync($"{name} host={context.Request.Host} path={context.Request.Path}");
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        self = new NamedUpstream(app, name, port);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
