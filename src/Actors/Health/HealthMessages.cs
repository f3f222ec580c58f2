using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Health;

/// <summary>From a <see cref="HealthCheckActor"/> to its session actor: the endpoint's health changed.</summary>
public sealed record EndpointHealthChanged(string EndpointId, EndpointHealth Health, string Detail);

/// <summary>From a <see cref="HealthCheckActor"/> to its session actor: a line for the status stream.</summary>
public sealed record HealthCheckReport(string EndpointId, string Line);
