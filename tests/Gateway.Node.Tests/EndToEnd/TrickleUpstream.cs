using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// A real HTTP server on a loopback port whose answer trickles: 8 KiB every 100 ms for as long as
/// <c>?seconds=N</c> says (default 10), so a connection through a tunnel stays open with its byte
/// counts growing while a test watches.
/// </summary>
public sealed class TrickleUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TrickleUpstream(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    public static async Task<TrickleUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var chunk = new byte[8192];
        app.Run(async context =>
        {
            var seconds = int.TryParse(context.Request.Query["seconds"], out var s) ? Math.Clamp(s, 1, 60) : 10;
            var end = DateTime.UtcNow.AddSeconds(seconds);
            try
            {
                while (DateTime.UtcNow < end)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(100, context.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        await app.StartAsync();
        return new TrickleUpstream(app, new Uri(app.Urls.First()).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
