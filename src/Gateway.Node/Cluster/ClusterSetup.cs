using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Gateway.Actors.Routes;
using Gateway.Node.Relay;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Cluster;

/// <summary>
/// Per-node cluster settings; with no seed nodes the node forms a cluster of its own.
/// <paramref name="ExtraRoles"/> carries what peers must know about this node (its relay address);
/// <paramref name="AkkaOverrides"/> is config.hocon's <c>akka { }</c> block, applied over everything.
/// </summary>
public sealed record ClusterNodeSettings(string Hostname, int Port, IReadOnlyList<string> SeedNodes, IReadOnlyList<string>? ExtraRoles = null, Akka.Configuration.Config? AkkaOverrides = null)
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
    /// Failure detection and downing, tuned so a crashed node is seen unreachable in about 3-4 s
    /// (the endpoint table drops its endpoints then) and its route shards move in about 10-14 s.
    /// config.hocon's <c>akka { }</c> block overrides any of these.
    /// </summary>
    public const string Defaults = """
        akka.cluster.failure-detector.heartbeat-interval = 1s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        akka.cluster.split-brain-resolver.stable-after = 7s
        akka.cluster.down-removal-margin = 3s
        akka.cluster.sharding.distributed-data.durable.keys = []
        akka.cluster.sharding.passivate-idle-entity-after = off
        akka.coordinated-shutdown.exit-clr = off
        """;

    /// <summary>
    /// The node's Akka.NET cluster: remoting on the cluster address, sharded route actors (DData
    /// state, no passivation: live routes must not go idle), a failure detector and split-brain
    /// resolver tuned so that a lost node is detected in seconds, the endpoint table replica and
    /// the relay actor that issues relay tokens.
    /// </summary>
    public static IServiceCollection AddGatewayCluster(this IServiceCollection services, ClusterNodeSettings settings, EndpointTable table, RouteActorSettings routeSettings)
    {
        services.AddAkka(ClusterNodeSettings.SystemName, (builder, provider) =>
        {
            builder
                .ConfigureLoggers(loggers => loggers.AddLoggerFactory())
                .AddHocon(Defaults, HoconAddMode.Prepend)
                .AddHocon(Gateway.Contracts.Serialization.GatewaySerialization.Hocon, HoconAddMode.Prepend)
                .WithRemoting(new RemoteOptions { HostName = settings.Hostname, Port = settings.Port })
                .WithClustering(new ClusterOptions
                {
                    Roles = ["gateway"],
                    SeedNodes = settings.SeedNodes.Count > 0 ? [.. settings.SeedAddresses] : null,
                    SplitBrainResolver = new KeepMajorityOption(),
                })
                // Quoted here: Akka.Hosting writes roles unquoted, and a relay role contains ':' and '='.
                .AddHocon("akka.cluster.roles = [" + string.Join(", ", new[] { "gateway" }.Concat(settings.ExtraRoles ?? []).Select(r => System.Text.Json.JsonSerializer.Serialize(r))) + "]", HoconAddMode.Prepend)
                .WithShardRegion<RouteRegionKey>("route",
                    routeId => RouteActor.Props(routeId, routeSettings),
                    new RouteMessageExtractor(),
                    new ShardOptions { StateStoreMode = StateStoreMode.DData, RememberEntities = false, ShouldPassivateIdleEntities = false, Role = "gateway" })
                .WithActors((system, registry) =>
                {
                    registry.Register<EndpointTableKey>(system.ActorOf(EndpointTableActor.Props(table), "endpoint-table"));
                    system.ActorOf(RelayTicketActor.Props(provider.GetRequiredService<RelayTicketStore>(), table,
                        provider.GetRequiredService<LocalTunnelRegistry>(), provider.GetRequiredService<TunnelRouteCatalog>()), RelayTicketActor.Name);
                })
                .AddStartup(async (system, _) =>
                {
                    if (settings.SeedNodes.Count == 0)
                    {
                        var cluster = Akka.Cluster.Cluster.Get(system);
                        await cluster.JoinAsync(cluster.SelfAddress);
                    }
                });
            // Last and prepended: the operator's akka { } block wins over everything above.
            if (settings.AkkaOverrides is { } overrides)
                builder.AddHocon(overrides.WithFallback(Akka.Configuration.Config.Empty), HoconAddMode.Prepend);
        });
        return services;
    }
}
