namespace Gateway.Node.Http;

/// <summary>
/// The route has no tunnel endpoint that may take the request; the gateway answers 503. Either
/// none is connected, or (<see cref="FailingHealthChecks"/>) all are failing the route's health
/// checks and <c>healthy_panic_threshold = 0</c> forbids using them anyway.
/// </summary>
public sealed class NoTunnelEndpointException : Exception
{
    public NoTunnelEndpointException(string routeId, bool failingHealthChecks = false)
        : base(failingHealthChecks
            ? $"every upstream tunnel endpoint of route {routeId} is failing its health checks"
            : $"no upstream tunnel is connected for route {routeId}")
    {
        RouteId = routeId;
        FailingHealthChecks = failingHealthChecks;
    }

    public string RouteId { get; }

    public bool FailingHealthChecks { get; }
}
