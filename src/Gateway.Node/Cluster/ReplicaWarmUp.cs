using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Routes;
using Gateway.Contracts.Messages;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Cluster;

/// <summary>
/// Fills a (re)joining node's endpoint table replica when it turns Up, by asking every route actor
/// for its current set instead of waiting for their next publication (every 5 s, and only once
/// distributed pub-sub has gossiped this node's subscription). Until then the node would answer 503
/// "no upstream tunnel" for live routes, so readiness waits for it (<see cref="Status.NodeStatus"/>).
/// </summary>
public sealed class ReplicaWarmUp : IHostedLifecycleService
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    private readonly ActorSystem _system;
    private readonly IRequiredActor<RouteActor> _routeRegion;
    private readonly EndpointTable _table;
    private readonly TunnelRouteCatalog _catalog;
    private readonly ILogger<ReplicaWarmUp> _logger;

    public ReplicaWarmUp(ActorSystem system, IRequiredActor<RouteActor> routeRegion, EndpointTable table, TunnelRouteCatalog catalog, ILogger<ReplicaWarmUp> logger)
    {
        _system = system;
        _routeRegion = routeRegion;
        _table = table;
        _catalog = catalog;
        _logger = logger;
    }

    /// <summary>After the actor system started (the route region exists); the fetch itself waits for Up.</summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var region = await _routeRegion.GetAsync(cancellationToken).ConfigureAwait(false);
        Akka.Cluster.Cluster.Get(_system).RegisterOnMemberUp(() => _ = FetchAsync(region));
    }

    private async Task FetchAsync(IActorRef routeRegion)
    {
        await Task.WhenAll(_catalog.Routes.Select(r => r.RouteId).Select(async routeId =>
        {
            try
            {
                var state = await routeRegion.Ask<RouteEndpointsUpdated>(new GetRouteEndpoints(routeId), AskTimeout).ConfigureAwait(false);
                _table.Apply(state);
            }
            catch (AskTimeoutException)
            {
                // Readiness falls back to its time bound; the next publication fills the table.
                _logger.LogWarning("route {Route} did not report its endpoints within {Seconds}s", routeId, AskTimeout.TotalSeconds);
            }
        })).ConfigureAwait(false);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
