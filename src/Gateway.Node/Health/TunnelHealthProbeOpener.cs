using Gateway.Actors.Health;
using Gateway.Node.Http;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Health;

/// <summary>
/// Opens a health probe's stream on the SSH connection this node holds for the endpoint, through
/// the same path as a request's channel (<see cref="TunnelDialer.OpenLocalAsync"/>: the client's
/// forward pattern, SOCKS in dynamic mode, a downstream connection actor that owns the stream),
/// with no downstream address, so the channel shows as the health check's. A probe's stream closed
/// with nothing received draws no forward-mismatch warning: the check reports its own result.
/// </summary>
public sealed class TunnelHealthProbeOpener(TunnelDialer dialer) : IHealthProbeOpener
{
    public async ValueTask<Stream> OpenAsync(string endpointId, HealthProbeTarget target, CancellationToken ct)
    {
        var held = dialer.FindHeld(endpointId)
            ?? throw new TunnelEndpointGoneException($"the tunnel of {endpointId} is gone from this node");
        var opened = await dialer.OpenLocalAsync(held.Tunnel, held.Endpoint, target.Upstream, downstream: null, ct).ConfigureAwait(false);
        return opened.Stream;
    }
}
