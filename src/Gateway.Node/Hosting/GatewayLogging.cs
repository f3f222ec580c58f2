using Gateway.Config;

namespace Gateway.Node.Hosting;

/// <summary>The console log: one line per event, readable (<c>simple</c>) or one JSON object (<c>json</c>).</summary>
public static class GatewayLogging
{
    public static ILoggingBuilder AddGatewayConsole(this ILoggingBuilder logging, LogFormat format)
    {
        logging.ClearProviders();
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Yarp", LogLevel.Warning);
        // YARP reports every failed forward (no destination, refused tunnel) as a warning, with a stack
        // trace; GatewayProxyMiddleware writes one information line per such request instead.
        logging.AddFilter("Yarp.ReverseProxy.Forwarder", LogLevel.Error);
        logging.AddFilter("Yarp.ReverseProxy.LoadBalancing", LogLevel.Error);
        // YARP logs every destination's health change (all nodes, every endpoint); the health
        // checks log transitions once, on the node holding the tunnel, and outlier detection its ejections.
        logging.AddFilter("Yarp.ReverseProxy.Health", LogLevel.Error);
        // The host logs a failed start with its stack trace; GatewayNodeRunner reports one line instead.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        return logging;
    }
}
