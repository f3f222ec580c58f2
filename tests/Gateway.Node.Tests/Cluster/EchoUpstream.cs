using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// A real HTTP server on loopback standing in for the tunnel client's local service: GET answers
/// "<name> path=<path>"; POST /sha256 answers the hex SHA-256 of the body (bulk bytes up);
/// GET /bytes/N sends N bytes of <see cref="Pattern"/> (bulk bytes down); other POSTs stream the
/// request body back unchanged (both ways at once).
/// </summary>
public sealed class EchoUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoUpstream(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The 64 KiB block that /bytes/N repeats.</summary>
    public static byte[] Pattern { get; } = Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i * 31 + (i >> 8))).ToArray();
    public string Url => $"http://127.0.0.1:{Port}";

    public static async Task<EchoUpstream> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            if (HttpMethods.IsPost(context.Request.Method) && path == "/sha256")
            {
                var hash = await System.Security.Cryptography.SHA256.HashDataAsync(context.Request.Body, context.RequestAborted);
                await context.Response.WriteAsync(Convert.ToHexStringLower(hash));
                return;
            }
            if (HttpMethods.IsGet(context.Request.Method) && path.StartsWith("/bytes/", StringComparison.Ordinal) && long.TryParse(path[7..], out var count))
            {
                context.Response.ContentType = "application/octet-stream";
                context.Response.ContentLength = count;
                for (long sent = 0; sent < count; sent += Pattern.Length)
                    await context.Response.Body.WriteAsync(Pattern.AsMemory(0, (int)Math.Min(Pattern.Length, count - sent)), context.RequestAborted);
                return;
            }
            if (HttpMethods.IsPost(context.Request.Method))
            {
                context.Response.ContentType = "application/octet-stream";
                await context.Request.Body.CopyToAsync(context.Response.Body, context.RequestAborted);
                return;
            }
            await context.Response.WriteAsync($"{name} path={context.Request.Path}");
        });
        await app.StartAsync();
        return new EchoUpstream(app, new Uri(app.Urls.First()).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
