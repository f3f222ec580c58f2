namespace Gateway.Node.Drain;

/// <summary>Counts downstream requests, so a drain knows when this node's in-flight ones are done.</summary>
public sealed class InFlightRequestCounter
{
    private readonly RequestDelegate _next;

    public InFlightRequestCounter(RequestDelegate next) => _next = next;

    public async Task InvokeAsync(HttpContext context, NodeDrain drain)
    {
        drain.RequestStarted();
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            drain.RequestEnded();
        }
    }
}
