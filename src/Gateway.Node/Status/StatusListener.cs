using System.Net;
using Gateway.Config;

namespace Gateway.Node.Status;

/// <summary>
/// The optional plain-HTTP status listener (<c>cluster.status_address</c>) for load balancers
/// and orchestrators: <c>/healthz</c> (200 while the process serves), <c>/readyz</c> (200 only
/// when the node is Up in the cluster and not draining), <c>/status</c> (JSON) and <c>POST /drain</c>
/// (graceful drain, then exit, as on SIGTERM). A listener of its own, not paths
/// on the HTTPS port: route hosts can use any path, and probes should not need TLS or SNI.
/// </summary>
public static class StatusListener
{
    public static async Task<WebApplication?> StartAsync(HostPort? address, NodeStatus status, Action? drain = null)
    {
        if (address is null) return null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(Hosting.ListenAddress.Resolve(address)));
        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () =>
        {
            var (ready, reason) = status.Readiness();
            return Results.Text(reason + "\n", statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        if (drain is not null)
        {
            // The admin command: the same graceful drain and exit as SIGTERM. Answers at once.
            app.MapPost("/drain", () =>
            {
                drain();
                return Results.Text("draining\n", statusCode: StatusCodes.Status202Accepted);
            });
        }
        app.MapGet("/status", async () => Results.Json(await status.SnapshotAsync().ConfigureAwait(false)));
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    /// <summary>The bound port (after port 0 was asked for).</summary>
    public static IPEndPoint? BoundAddress(WebApplication? app)
        => app?.Urls.Select(u => new Uri(u)).Select(u => new IPEndPoint(IPAddress.Parse(u.Host.Trim('[', ']')), u.Port)).FirstOrDefault();
}
