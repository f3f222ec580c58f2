using Gateway.Actors.Health;

namespace Gateway.Node.Health;

/// <summary>
/// The part every checker shares: the check's <c>timeout</c> as a linked token, and turning what
/// goes wrong into a <see cref="HealthProbeOutcome.Failure"/> with a readable line, so that a
/// probe never throws except when the caller cancels it.
/// </summary>
public abstract class HealthCheckerBase : IHealthChecker
{
    protected HealthCheckerBase(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "a health check timeout must be greater than zero");
        Timeout = timeout;
    }

    /// <summary>The whole check, from opening the stream to the verdict (Envoy starts its timer before connecting too).</summary>
    public TimeSpan Timeout { get; }

    public async Task<HealthProbeResult> CheckAsync(HealthProbeTarget target, Func<CancellationToken, ValueTask<Stream>> openStream, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(openStream);
        ct.ThrowIfCancellationRequested();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            return await ProbeAsync(target, openStream, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (ct.IsCancellationRequested)
        {
            // Cancelling can surface as an IOException from a stream torn down under a read.
            throw new OperationCanceledException("health check cancelled", e, ct);
        }
        catch (Exception) when (timeout.IsCancellationRequested)
        {
            return HealthProbeResult.Failure($"timeout after {HealthCheckText.Duration(Timeout)}");
        }
        catch (Exception e)
        {
            return HealthProbeResult.Failure(HealthCheckText.Describe(e));
        }
    }

    /// <summary>One check; may throw on network errors (reported as failures) and must honour <paramref name="ct"/>.</summary>
    protected abstract Task<HealthProbeResult> ProbeAsync(HealthProbeTarget target, Func<CancellationToken, ValueTask<Stream>> openStream, CancellationToken ct);

    /// <summary>Opens the one stream of a check; a failure to open reads as "connect failed: ...".</summary>
    internal static async ValueTask<Stream> OpenAsync(Func<CancellationToken, ValueTask<Stream>> openStream, CancellationToken ct)
    {
        try
        {
            return await openStream(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new HealthProbeException($"connect failed: {HealthCheckText.Describe(e)}", e);
        }
    }
}
