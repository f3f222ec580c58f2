using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Gateway.Actors.Routes;

namespace Gateway.Node.Cluster;

/// <summary>Per-node cluster settings; with no seed nodes the node forms a cluster of its own.</summary>
public sealed record ClusterNodeSettings(string Hostname, int Port, IReadOnlyList<string> SeedNodes)
{
    public const string SystemName = "gateway";

    /// <summary>Seeds as full Akka addresses; <c>host:port</c> is expanded.</summary>
    public IReadOnlyList<string> SeedAddresses => SeedNodes
        .Select(s => s.Contains("://", StringComparison.Ordinal) ? s : $"akka.tcp://{SystemName}@{s}")
        .ToList();
}

/// <summary>Marker for the route shard region in Akka.Hosting's registry.</summary>
public sealed class RouteRegionKey;

/// <summary>Marker for this node's endpoint table actor.</summary>
public sealed class EndpointTableKey;

public static class ClusterSetup
{
    /// <summary>
    /// The node's Akka.NET cluster: remoting on the cluster address, sharded route actors (DData
    /// state, no passivation: live routes must not go idle), a failure detector and split-brain
    /// resolver tuned so that a lost node is detected in seconds, and the endpoint table replica.
    /// </summary>
    public static IServiceCollection AddGatewayCluster(this IServiceCollection services, ClusterNodeSettings settings, EndpointTable table, RouteActorSettings routeSettings)
    {
        services.AddAkka(ClusterNodeSettings.SystemName, (builder, _) =>
        {
            builder
                .ConfigureLoggers(loggers => loggers.AddLoggerFactory())
                .AddHocon("""
                    akka.cluster.split-brain-resolver.stable-after = 7s
                    akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
                    akka.cluster.sharding.distributed-data.durable.keys = []
                    akka.cluster.sharding.passivate-idle-entity-after = off
                    akka.coordinated-shutdown.exit-clr = off
                    """, HoconAddMode.Prepend)
                .WithRemoting(new RemoteOptions { HostName = settings.Hostname, Port = settings.Port })
                .WithClustering(new ClusterOptions
                {
                    Roles = ["gateway"],
                    SeedNodes = settings.SeedNodes.Count > 0 ? [.. settings.SeedAddresses] : null,
                    SplitBrainResolver = new KeepMajorityOption(),
                })
                .WithShardRegion<RouteRegionKey>("route",
                    routeId => RouteActor.Props(routeId, routeSettings),
                    new RouteMessageExtractor(),
                    new ShardOptions { StateStoreMode = StateStoreMode.DData, RememberEntities = false, ShouldPassivateIdleEntities = false, Role = "gateway" })
                .WithActors((system, registry) => registry.Register<EndpointTableKey>(system.ActorOf(EndpointTableActor.Props(table), "endpoint-table")))
                .AddStartup(async (system, _) =>
                {
                    if (settings.SeedNodes.Count == 0)
                    {
                        var cluster = Akka.Cluster.Cluster.Get(system);
                        await cluster.JoinAsync(cluster.SelfAddress);
                    }
                });
        });
        return services;
    }
}
