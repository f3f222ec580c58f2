using Akka.Actor;
using Gateway.Actors.Routes;
using Gateway.Contracts.Messages;

namespace Gateway.Node.Drain;

/// <summary>
/// Fills a (re)joining node's endpoint table by asking every route actor for its current set,
/// instead of waiting for their next publication (every 5 s, and only once distributed pub-sub has
/// gossiped this node's subscription). Until then the node would answer 503 "no upstream tunnel"
/// for live routes, so readiness waits for it (<see cref="Status.NodeStatus"/>).
/// </summary>
public static class EndpointWarmUp
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public static async Task FetchAsync(IActorRef routeRegion, EndpointTable table, IEnumerable<string> routeIds, ILogger logger)
    {
        await Task.WhenAll(routeIds.Select(async routeId =>
        {
            try
            {
                var state = await routeRegion.Ask<RouteEndpointsUpdated>(new GetRouteEndpoints(routeId), AskTimeout).ConfigureAwait(false);
                table.Apply(state);
            }
            catch (AskTimeoutException)
            {
                // Readiness falls back to its time bound; the next publication fills the table.
                logger.LogWarning("route {Route} did not report its endpoints within {Seconds}s", routeId, AskTimeout.TotalSeconds);
            }
        })).ConfigureAwait(false);
    }
}
