using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Tests.Health.Support;

/// <summary>
/// A real HTTP service on 127.0.0.1 standing in for one tunnel client's local service: <c>/health</c>
/// answers <see cref="HealthStatus"/>, every other path "<c>name path=...</c>" with 200, so a test
/// sees which client served a request while it decides what the health checks find.
/// </summary>
public sealed class FlippableUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FlippableUpstream(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public volatile int HealthStatus = 200;

    public static async Task<FlippableUpstream> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FlippableUpstream? self = null;
        app.Run(async context =>
        {
            if (context.Request.Path == "/health")
            {
                context.Response.StatusCode = self!.HealthStatus;
                await context.Response.WriteAsync("health");
                return;
            }
            await context.Response.WriteAsync($"{name} path={context.Request.Path}");
        });
        await app.StartAsync();
        self = new FlippableUpstream(app, new Uri(app.Urls.First()).Port);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
