namespace Gateway.Actors.Health;

/// <summary>What one health check probe means for the state of its endpoint (Envoy's rules).</summary>
public enum ProbeVerdict
{
    Pass,

    /// <summary>Passed, with the <c>x-envoy-degraded</c> response header.</summary>
    PassDegraded,

    /// <summary>Counts towards <c>unhealthy_threshold</c>: a network error, a timeout, a retriable status, a gRPC or TCP mismatch.</summary>
    Fail,

    /// <summary>An HTTP status neither expected nor retriable: unhealthy at once, whatever the threshold.</summary>
    FailImmediately,
}
