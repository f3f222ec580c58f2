using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;

namespace Gateway.Actors.Routes;

/// <summary>
/// Registers the sharded route actors with Akka.Hosting; the region is resolved as
/// <c>IRequiredActor&lt;RouteActor&gt;</c> (or <c>ActorRegistry.Get&lt;RouteActor&gt;()</c>).
/// </summary>
public static class RouteShardRegionHosting
{
    public const string TypeName = "route";

    /// <summary>
    /// DData state, no remembered entities and no passivation: a live route must not go idle, and
    /// its registrations are soft state that sessions refresh.
    /// </summary>
    public static AkkaConfigurationBuilder WithRouteShardRegion(this AkkaConfigurationBuilder builder, RouteActorSettings settings, string role)
        => builder.WithShardRegion<RouteActor>(TypeName,
            routeId => RouteActor.Props(routeId, settings),
            new RouteMessageExtractor(),
            new ShardOptions { StateStoreMode = StateStoreMode.DData, RememberEntities = false, ShouldPassivateIdleEntities = false, Role = role });
}
