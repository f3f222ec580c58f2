using Gateway.Actors.Health;
using Gateway.Config;

namespace Gateway.Node.Health;

/// <summary>
/// <c>tcp_health_check</c> as Envoy runs it: open the stream, write <c>send</c> if there is one,
/// then succeed at once when <c>receive</c> is empty (connect-only), or read until every
/// <c>receive</c> payload has been seen in order (<see cref="PayloadMatcher"/>). A stream that ends
/// first, or a timeout, counts towards <c>unhealthy_threshold</c> as Envoy's network failures do.
/// Envoy buffers without a limit of its own; the gateway stops at <see cref="MaxReceiveBytes"/>.
/// </summary>
public sealed class TcpHealthChecker : HealthCheckerBase
{
    public const int MaxReceiveBytes = 64 * 1024;

    private readonly TcpHealthCheck _check;
    private readonly int _bufferSize;

    public TcpHealthChecker(TcpHealthCheck check, TimeSpan timeout)
        : base(timeout)
    {
        ArgumentNullException.ThrowIfNull(check);
        _check = check;
        _bufferSize = Math.Max(MaxReceiveBytes, PayloadMatcher.TotalLength(check.Receive));
    }

    protected override async Task<HealthProbeResult> ProbeAsync(HealthProbeTarget target, Func<CancellationToken, ValueTask<Stream>> openStream, CancellationToken ct)
    {
        var stream = await OpenAsync(openStream, ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var send = _check.Send?.Bytes ?? [];
            if (send.Length > 0)
            {
                await stream.WriteAsync(send, ct).ConfigureAwait(false);
                await stream.FlushAsync(ct).ConfigureAwait(false);
            }
            var sent = send.Length > 0 ? $", sent {send.Length} bytes" : "";
            if (_check.Receive.Count == 0)
                return HealthProbeResult.Success($"connected{sent}");

            var buffer = new byte[_bufferSize];
            var filled = 0;
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
                if (read == 0)
                    return HealthProbeResult.Failure($"connection closed after {filled} bytes without the expected response");
                filled += read;
                if (PayloadMatcher.Matches(_check.Receive, buffer.AsSpan(0, filled)))
                    return HealthProbeResult.Success($"expected response received{sent}");
                if (filled == buffer.Length)
                    return HealthProbeResult.Failure($"the expected response was not in the first {filled} bytes");
            }
        }
    }
}
