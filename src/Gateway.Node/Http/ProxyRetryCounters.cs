namespace Gateway.Node.Http;

/// <summary>Requests the proxy sent a second time after a tunnel failure, and how many of those got an answer (<c>/status</c>).</summary>
public sealed class ProxyRetryCounters
{
    private long _attempted;
    private long _succeeded;

    public long Attempted => Interlocked.Read(ref _attempted);

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public void RetryAttempted() => Interlocked.Increment(ref _attempted);

    public void RetrySucceeded() => Interlocked.Increment(ref _succeeded);
}
