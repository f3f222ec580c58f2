namespace Gateway.Contracts.Tunnels;

/// <summary>
/// What the health checks of a route say about one of its endpoints, computed on the node that
/// holds the SSH connection. <see cref="Unknown"/>: the route has no checks, or none has answered yet.
/// </summary>
public enum EndpointHealth
{
    Unknown = 0,
    Healthy = 1,

    /// <summary>Passing, but an HTTP check answered with <c>x-envoy-degraded</c>: used only when no healthy endpoint is left.</summary>
    Degraded = 2,

    Unhealthy = 3,
}
