namespace Gateway.Actors.Health;

/// <summary>The outcome of one health check and a short line saying why, for logs and status.</summary>
public sealed record HealthProbeResult(HealthProbeOutcome Outcome, string Detail)
{
    /// <summary>Success or Degraded: the endpoint may carry traffic.</summary>
    public bool Passed => Outcome is HealthProbeOutcome.Success or HealthProbeOutcome.Degraded;

    public static HealthProbeResult Success(string detail) => new(HealthProbeOutcome.Success, detail);

    public static HealthProbeResult Degraded(string detail) => new(HealthProbeOutcome.Degraded, detail);

    public static HealthProbeResult Failure(string detail) => new(HealthProbeOutcome.Failure, detail);

    public static HealthProbeResult ImmediateFailure(string detail) => new(HealthProbeOutcome.ImmediateFailure, detail);

    public override string ToString() => $"{Outcome}: {Detail}";
}
