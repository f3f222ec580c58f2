using System.Net.Sockets;
using Gateway.Config;
using Gateway.Node.Secrets;

namespace Gateway.Node.Hosting;

/// <summary>Starts the node, reports what it listens on, and waits for the host's stop (SIGTERM, <c>POST /drain</c>).</summary>
public static class GatewayNodeRunner
{
    /// <returns>The process exit code: 0 after a stop, 1 when the node could not start.</returns>
    public static async Task<int> RunAsync(WebApplication app, GatewayConfig config)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Node");
        foreach (var warning in KeyFilePermissions.Warnings(KeyFilePermissions.ConfiguredKeyFiles(config)))
            logger.LogWarning("{Warning}", warning);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (CannotStart(ex) is { } reason)
        {
            // Port in use, unreadable key file...: one clear line, not a stack trace.
            logger.LogCritical("cannot start: {Error}", reason);
            await app.StopAsync().ConfigureAwait(false);
            return 1;
        }
        logger.LogInformation("{Scheme} listening on {Address}", config.InsecureServer ? "http" : "https", config.Address);
        logger.LogInformation("data directory {DataDir}", config.DataDir);
        logger.LogInformation("gateway ready");
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>The message for a start failure the operator can fix; null for a bug (which keeps its stack trace).</summary>
    private static string? CannotStart(Exception ex)
    {
        // Akka.Remote stops the actor system when this node's outbound TLS handshake fails (a peer
        // refused its certificate, or it refused the peer's); the host's start is then cancelled.
        if (ex is OperationCanceledException)
            return "the node was stopped while starting (see the log above; a failed cluster TLS handshake stops the node)";
        if (ex is AggregateException { InnerExceptions.Count: > 0 } many)
            return string.Join("; ", many.InnerExceptions.Select(CannotStart).Where(m => m is not null)) is { Length: > 0 } joined ? joined : null;
        if (ex is not (IOException or SocketException or InvalidOperationException)) return null;
        return ex.InnerException?.Message is { } inner ? $"{ex.Message} ({inner})" : ex.Message;
    }
}
