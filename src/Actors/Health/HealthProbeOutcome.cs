namespace Gateway.Actors.Health;

/// <summary>
/// What one health check said, in Envoy's terms. The split between <see cref="Failure"/> and
/// <see cref="ImmediateFailure"/> is Envoy's split between failures that count towards
/// <c>unhealthy_threshold</c> (network errors, timeouts, retriable HTTP statuses) and "active"
/// failures that mark the endpoint unhealthy at once.
/// </summary>
public enum HealthProbeOutcome
{
    /// <summary>The check passed.</summary>
    Success,

    /// <summary>The check passed, but the HTTP response carried <c>x-envoy-degraded</c>.</summary>
    Degraded,

    /// <summary>The check failed in a way that counts towards <c>unhealthy_threshold</c>.</summary>
    Failure,

    /// <summary>The upstream answered, and the answer was a failure: unhealthy regardless of <c>unhealthy_threshold</c>.</summary>
    ImmediateFailure,
}
