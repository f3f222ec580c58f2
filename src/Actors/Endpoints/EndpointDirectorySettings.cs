namespace Gateway.Actors.Endpoints;

/// <summary>
/// Timing of the endpoint directory. <see cref="BatchDelay"/> gathers the changes of a burst (a
/// thousand connections ending at once) into a few deltas; <see cref="DigestInterval"/> bounds how
/// long a replica that lost a delta stays wrong, and is the only traffic at rest (one message per
/// node per interval).
/// </summary>
public sealed record EndpointDirectorySettings(TimeSpan BatchDelay, TimeSpan DigestInterval)
{
    public static EndpointDirectorySettings Default { get; } = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5));
}
