namespace Gateway.Actors.Health;

/// <summary>
/// Runs one health check over a byte stream. <paramref name="openStream"/> in CheckAsync opens a
/// fresh stream to the upstream (through the tunnel in production); a check opens at most one,
/// never reuses it (Envoy's <c>reuse_connection=false</c>, which tunnels force) and disposes it
/// before returning. The check's own <c>timeout</c> is applied inside and yields a
/// <see cref="HealthProbeOutcome.Failure"/>; only the caller's token throws
/// <see cref="OperationCanceledException"/>. A checker keeps no state between checks, so one
/// instance per configured check can serve every endpoint of the route, concurrently.
/// </summary>
public interface IHealthChecker
{
    Task<HealthProbeResult> CheckAsync(HealthProbeTarget target, Func<CancellationToken, ValueTask<Stream>> openStream, CancellationToken ct);
}
