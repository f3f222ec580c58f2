using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Health;

/// <summary>
/// The state of one health check for one endpoint, driven by probe verdicts with Envoy's rules: a
/// new endpoint is <see cref="EndpointHealth.Unknown"/> and counts as failing until its first
/// probe; one pass makes it healthy ("during startup, only a single successful health check is
/// required"), later it takes <c>healthy_threshold</c> consecutive passes after being unhealthy
/// and <c>unhealthy_threshold</c> consecutive failures after being healthy; a status outside both
/// <c>expected_statuses</c> and <c>retriable_statuses</c> makes it unhealthy at once. Degraded is
/// a healthy endpoint whose last pass carried <c>x-envoy-degraded</c>. Not thread-safe: owned by
/// its health check actor.
/// </summary>
public sealed class HealthCheckState(int unhealthyThreshold, int healthyThreshold)
{
    private readonly int _unhealthyThreshold = Math.Max(1, unhealthyThreshold);
    private readonly int _healthyThreshold = Math.Max(1, healthyThreshold);
    private int _passes;
    private int _failures;

    public EndpointHealth Health { get; private set; } = EndpointHealth.Unknown;

    /// <summary>The edge the last verdict crossed, if any: the next interval may be an edge interval.</summary>
    public HealthEdge LastEdge { get; private set; }

    /// <summary>Applies one verdict; returns whether <see cref="Health"/> changed.</summary>
    public bool Apply(ProbeVerdict verdict)
    {
        var before = Health;
        var wasPassing = before is EndpointHealth.Healthy or EndpointHealth.Degraded;
        LastEdge = HealthEdge.None;
        switch (verdict)
        {
            case ProbeVerdict.Pass or ProbeVerdict.PassDegraded:
                _failures = 0;
                _passes++;
                var passing = wasPassing || before == EndpointHealth.Unknown || _passes >= _healthyThreshold;
                if (passing && !wasPassing) LastEdge = HealthEdge.BecameHealthy;
                Health = !passing ? EndpointHealth.Unhealthy
                    : verdict == ProbeVerdict.PassDegraded ? EndpointHealth.Degraded : EndpointHealth.Healthy;
                break;
            case ProbeVerdict.Fail or ProbeVerdict.FailImmediately:
                _passes = 0;
                _failures++;
                var failing = !wasPassing || verdict == ProbeVerdict.FailImmediately || _failures >= _unhealthyThreshold;
                if (failing && before != EndpointHealth.Unhealthy) LastEdge = HealthEdge.BecameUnhealthy;
                if (failing) Health = EndpointHealth.Unhealthy;
                break;
        }
        return Health != before;
    }
}

public enum HealthEdge
{
    None,
    BecameHealthy,
    BecameUnhealthy,
}
