using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Gateway.Actors.Endpoints;
using Gateway.Actors.SignIn;
using Gateway.Config;
using Gateway.Node.ClusterSecurity;
using Gateway.Node.Relay;
using Gateway.Node.SignIn;

namespace Gateway.Node.Cluster;

/// <summary>
/// Per-node cluster settings; with no seed nodes the node forms a cluster of its own.
/// <paramref name="ExtraRoles"/> carries what peers must know about this node (its relay address);
/// <paramref name="AkkaOverrides"/> is config.hocon's <c>akka { }</c> block, applied over everything.
/// </summary>
public sealed record ClusterNodeSettings(string Hostname, int Port, IReadOnlyList<string> SeedNodes, IReadOnlyList<string>? ExtraRoles = null,
    Akka.Configuration.Config? AkkaOverrides = null, string Protocol = "akka.tcp")
{
    public const string SystemName = "gateway";

    /// <summary>Seeds as full Akka addresses; <c>host:port</c> is expanded (<c>akka.ssl.tcp</c> with cluster TLS).</summary>
    public IReadOnlyList<string> SeedAddresses => SeedNodes
        .Select(s => s.Contains("://", StringComparison.Ordinal) ? s : $"{Protocol}://{SystemName}@{s}")
        .ToList();
}

public static class ClusterSetup
{
    /// <summary>
    /// Failure detection and downing, tuned so a crashed node is seen unreachable in about 3-4 s
    /// (every replica drops its endpoints then) and downed, so it leaves the membership, in about 10-14 s.
    /// config.hocon's <c>akka { }</c> block overrides any of these.
    /// </summary>
    public const string Defaults = """
        akka.cluster.failure-detector.heartbeat-interval = 1s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        akka.cluster.split-brain-resolver.stable-after = 7s
        akka.cluster.down-removal-margin = 3s
        akka.coordinated-shutdown.exit-clr = off
        # Before its logger has started, Akka writes to stdout itself: warnings only.
        akka.stdout-loglevel = WARNING
        """;

    /// <summary>The role every gateway node has.</summary>
    public const string GatewayRole = "gateway";

    /// <summary>
    /// The node's Akka.NET cluster: remoting on the cluster address, a failure detector and
    /// split-brain resolver tuned so that a lost node is detected in seconds, the endpoint directory
    /// (this node's endpoints out, every other node's in), the relay actor that issues relay tokens, and Akka's log routed
    /// into the host's logging. The relay port is bound first: peers find it in this node's roles.
    /// </summary>
    public static IServiceCollection AddGatewayCluster(this IServiceCollection services, GatewayConfig config)
    {
        var cluster = config.Cluster ?? new GatewayClusterConfig();
        services.AddSingleton(EndpointDirectorySettings.Default);
        services.AddSingleton<EndpointTable>();
        services.AddSingleton<LocalEndpoints>();
        services.AddSingleton<ReplicaProgress>();
        services.AddSingleton<ClusterTls>();
        services.AddSingleton<EndpointDirectoryCounters>();
        if (config.SignIn is { } signIn)
        {
            // The cluster's sign-in state, and ASP.NET Core's key ring kept in it.
            services.AddSingleton<ClusterSignInStore>();
            services.AddSingleton<ISignInStore>(sp => sp.GetRequiredService<ClusterSignInStore>());
            services.AddClusterDataProtection(signIn);
        }
        services.AddAkka(ClusterNodeSettings.SystemName, (builder, provider) =>
        {
            var relay = provider.GetRequiredService<RelayListenerSocket>();
            var tls = provider.GetRequiredService<ClusterTls>().Credentials;
            var settings = new ClusterNodeSettings(cluster.Hostname, cluster.Port, cluster.SeedNodes,
                [RelayRole.Format(relay.Advertised)], AkkaOverrides(config), cluster.AkkaProtocol);
            builder
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLogger<AkkaLogForwarder>();
                })
                .AddHocon(Defaults, HoconAddMode.Prepend)
                .AddHocon(Gateway.Contracts.Serialization.GatewaySerialization.Hocon, HoconAddMode.Prepend)
                .WithRemoting(AkkaTls.Apply(new RemoteOptions { HostName = settings.Hostname, Port = settings.Port }, tls))
                .WithClustering(new ClusterOptions
                {
                    Roles = [GatewayRole],
                    SeedNodes = settings.SeedNodes.Count > 0 ? [.. settings.SeedAddresses] : null,
                    SplitBrainResolver = new KeepMajorityOption(),
                })
                // Quoted here: Akka.Hosting writes roles unquoted, and a relay role contains ':' and '='.
                .AddHocon("akka.cluster.roles = [" + string.Join(", ", new[] { GatewayRole }.Concat(settings.ExtraRoles ?? []).Select(r => System.Text.Json.JsonSerializer.Serialize(r))) + "]", HoconAddMode.Prepend)
                .WithEndpointDirectory(provider.GetRequiredService<LocalEndpoints>(), provider.GetRequiredService<EndpointTable>(),
                    provider.GetRequiredService<ReplicaProgress>(), provider.GetRequiredService<EndpointDirectorySettings>(),
                    provider.GetRequiredService<EndpointDirectoryCounters>())
                .WithRelayTicketActor(provider)
                .WithSignInStoreWhenEnabled(provider.GetService<ClusterSignInStore>())
                .AddStartup(async (system, _) =>
                {
                    if (settings.SeedNodes.Count == 0)
                    {
                        var self = Akka.Cluster.Cluster.Get(system);
                        await self.JoinAsync(self.SelfAddress);
                    }
                });
            // Last and prepended: the operator's akka { } block wins over everything above.
            if (settings.AkkaOverrides is { } overrides)
                builder.AddHocon(overrides.WithFallback(Akka.Configuration.Config.Empty), HoconAddMode.Prepend);
        });
        return services;
    }

    private static AkkaConfigurationBuilder WithSignInStoreWhenEnabled(this AkkaConfigurationBuilder builder, ClusterSignInStore? store)
        => store is null ? builder : builder.WithSignInStore(store, GatewayRole);

    /// <summary>
    /// Akka's own SIGTERM hook would leave the cluster while the drain still runs; the host's stop
    /// (after the drain and Kestrel) runs coordinated shutdown instead. An operator's akka { } wins.
    /// </summary>
    private static Akka.Configuration.Config AkkaOverrides(GatewayConfig config)
    {
        var drainOrder = Akka.Configuration.ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off");
        return AkkaOverrideConfig.Reroot(config.AkkaOverrides) is { } operatorAkka ? operatorAkka.WithFallback(drainOrder) : drainOrder;
    }
}
