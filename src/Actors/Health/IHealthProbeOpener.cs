namespace Gateway.Actors.Health;

/// <summary>
/// Opens the stream one health probe runs over: a fresh forwarded-tcpip channel on the SSH
/// connection that holds the endpoint, exactly as a downstream connection would get (SOCKS to the
/// target in dynamic mode, the client's local target in static mode). Disposing the stream closes
/// the channel; the token cancels the open.
/// </summary>
public interface IHealthProbeOpener
{
    ValueTask<Stream> OpenAsync(string endpointId, HealthProbeTarget target, CancellationToken ct);
}
