using Akka.Hosting;

namespace Gateway.Actors.SignIn;

/// <summary>
/// Starts the sign-in store's replica actor (and with it Distributed Data's replicator) on this
/// node. The store itself is a DI singleton; consumers read it, nothing sends to the actor but the store.
/// </summary>
public static class SignInStoreHosting
{
    /// <summary>
    /// Distributed Data on the gateway nodes: the replicator runs on members with
    /// <paramref name="role"/> (every gateway node, so each holds a full replica). A write reaches
    /// a majority directly; the rest get it as a delta within max(gossip-interval / 5, 200 ms), and
    /// subscribers hear of it within notify-subscribers-interval: well under a second in all.
    /// Full-state gossip (a replica that missed deltas) runs every second and carries at most
    /// 16 keys per message, so it stays under Akka.Remote's frame.
    /// </summary>
    public static string Hocon(string role) => $$"""
        akka.cluster.distributed-data {
          role = "{{role}}"
          gossip-interval = 1s
          notify-subscribers-interval = 50ms
          max-delta-elements = 16
          durable.keys = []
        }
        """;

    public static AkkaConfigurationBuilder WithSignInStore(this AkkaConfigurationBuilder builder, ClusterSignInStore store, string role)
        => builder
            .AddHocon(Hocon(role), HoconAddMode.Prepend)
            .WithActors((system, _) => store.Start(system));
}
