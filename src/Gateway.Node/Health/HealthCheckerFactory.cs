using Gateway.Actors.Health;
using Gateway.Config;

namespace Gateway.Node.Health;

/// <summary>The checker for one <c>health_checks</c> entry.</summary>
public static class HealthCheckerFactory
{
    public static IHealthChecker Create(HealthCheckConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config switch
        {
            { Http: { } http } => new HttpHealthChecker(http, config.Timeout),
            { Grpc: { } grpc } => new GrpcHealthChecker(grpc, config.Timeout),
            { Tcp: { } tcp } => new TcpHealthChecker(tcp, config.Timeout),
            _ => throw new ArgumentException("a health check needs one of http_health_check, tcp_health_check, grpc_health_check", nameof(config)),
        };
    }
}
