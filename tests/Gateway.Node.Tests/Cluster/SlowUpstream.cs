using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// A real HTTP server on loopback whose answers take time in two places, so that a client giving
/// up at a random moment can land anywhere in a request's life: it waits before the response
/// headers (<c>?delay=ms</c>), then streams <c>?chunks=n</c> chunks of 1 KiB, 10 ms apart.
/// </summary>
public sealed class SlowUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SlowUpstream(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    public static async Task<SlowUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var chunk = new byte[1024];
        Array.Fill(chunk, (byte)'x');
        app.Run(async context =>
        {
            var delay = int.TryParse(context.Request.Query["delay"], out var d) ? d : 0;
            var chunks = int.TryParse(context.Request.Query["chunks"], out var c) ? c : 0;
            try
            {
                await Task.Delay(delay, context.RequestAborted);
                context.Response.ContentType = "application/octet-stream";
                await context.Response.StartAsync(context.RequestAborted);
                for (var i = 0; i < chunks; i++)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(10, context.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        return new SlowUpstream(app, port);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
