using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Health;

/// <summary>
/// One endpoint's health from its route's several checks: healthy only when every check passes.
/// Unhealthy wins over everything, then unknown (a check that has not answered yet), then degraded.
/// </summary>
public static class EndpointHealthRollup
{
    public static EndpointHealth Combine(IEnumerable<EndpointHealth> checks)
    {
        var any = false;
        var unknown = false;
        var degraded = false;
        foreach (var health in checks)
        {
            any = true;
            switch (health)
            {
                case EndpointHealth.Unhealthy: return EndpointHealth.Unhealthy;
                case EndpointHealth.Unknown: unknown = true; break;
                case EndpointHealth.Degraded: degraded = true; break;
            }
        }
        if (!any || unknown) return EndpointHealth.Unknown;
        return degraded ? EndpointHealth.Degraded : EndpointHealth.Healthy;
    }
}
