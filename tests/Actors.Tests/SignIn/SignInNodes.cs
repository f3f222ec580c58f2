using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Gateway.Actors.SignIn;

namespace Gateway.Actors.Tests.SignIn;

/// <summary>
/// Actor systems in this process joined into one cluster over Akka.Remote on loopback, each
/// with a started <see cref="ClusterSignInStore"/> (as a gateway node runs it).
/// </summary>
public sealed class SignInNodes : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private SignInNodes(IReadOnlyList<ActorSystem> systems, IReadOnlyList<ClusterSignInStore> stores)
    {
        Systems = systems;
        Stores = stores;
    }

    public IReadOnlyList<ActorSystem> Systems { get; }

    public IReadOnlyList<ClusterSignInStore> Stores { get; }

    public static Config NodeConfig() => ConfigurationFactory.ParseString("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.roles = [gateway]
        akka.cluster.down-removal-margin = 500ms
        # A terminated system does not leave: the others see a crash.
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        """).WithFallback(ConfigurationFactory.ParseString(SignInStoreHosting.Hocon("gateway")));

    /// <summary>Starts <paramref name="count"/> nodes, all joining the first, and waits until all are up.</summary>
    public static async Task<SignInNodes> StartAsync(int count, TimeProvider? time = null)
    {
        var systems = Enumerable.Range(0, count).Select(_ => ActorSystem.Create("gateway", NodeConfig())).ToList();
        var first = Cluster.Get(systems[0]).SelfAddress;
        await Task.WhenAll(systems.Select(s => Cluster.Get(s).JoinAsync(first)));
        await WaitUntil(() => systems.All(s => Cluster.Get(s).State.Members.Count(m => m.Status == MemberStatus.Up) == count), "all members up");
        var stores = systems.Select(s =>
        {
            var store = new ClusterSignInStore(time);
            store.Start(s);
            return store;
        }).ToList();
        return new SignInNodes(systems, stores);
    }

    public static async Task<TimeSpan> WaitUntil(Func<bool> condition, string what, TimeSpan? bound = null)
    {
        var started = DateTime.UtcNow;
        var until = started + (bound ?? Timeout);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"not within {(bound ?? Timeout).TotalSeconds}s: {what}");
            await Task.Delay(10);
        }
        return DateTime.UtcNow - started;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Systems.Select(s => s.Terminate().WaitAsync(Timeout)));
    }
}
