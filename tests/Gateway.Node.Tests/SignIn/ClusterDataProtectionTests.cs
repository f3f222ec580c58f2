using System.Security.Cryptography;
using Akka.Actor;
using AkkaCluster = Akka.Cluster.Cluster;
using Akka.Cluster;
using Akka.Configuration;
using Gateway.Actors.SignIn;
using Gateway.Config;
using Gateway.Node.SignIn;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// ASP.NET Core Data Protection over the sign-in stores of three cluster nodes in this process
/// (real Akka.Remote on loopback): nodes that start together share one key ring, and it outlives
/// the node that made a key.
/// </summary>
public sealed class ClusterDataProtectionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private readonly List<ActorSystem> _systems = [];
    private readonly List<ClusterSignInStore> _stores = [];
    private readonly List<ServiceProvider> _providers = [];

    public async Task InitializeAsync()
    {
        var config = ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp.hostname = 127.0.0.1
            akka.remote.dot-netty.tcp.port = 0
            akka.cluster.roles = [gateway]
            akka.cluster.down-removal-margin = 500ms
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            akka.loglevel = WARNING
            akka.log-dead-letters = off
            """).WithFallback(ConfigurationFactory.ParseString(SignInStoreHosting.Hocon("gateway")));
        _systems.AddRange(Enumerable.Range(0, 3).Select(_ => ActorSystem.Create("gateway", config)));
        var first = AkkaCluster.Get(_systems[0]).SelfAddress;
        await Task.WhenAll(_systems.Select(s => AkkaCluster.Get(s).JoinAsync(first)));
        await WaitUntil(() => _systems.All(s => AkkaCluster.Get(s).State.Members.Count(m => m.Status == MemberStatus.Up) == 3), "three members up");
        foreach (var system in _systems)
        {
            var store = new ClusterSignInStore();
            store.Start(system);
            _stores.Add(store);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers) await provider.DisposeAsync();
        await Task.WhenAll(_systems.Select(s => s.Terminate().WaitAsync(Timeout)));
    }

    [Fact]
    public async Task Nodes_starting_together_read_each_others_payloads_and_the_ring_outlives_the_node_that_made_a_key()
    {
        var a = Provider(_stores[0], _secret);
        var b = Provider(_stores[1], _secret);

        // Both start with an empty ring at the same moment: each may make its own first key.
        var protectedOn = await Task.WhenAll(
            Task.Run(() => a.GetRequiredService<IDataProtectionProvider>().CreateProtector("cookie").Protect("from A")),
            Task.Run(() => b.GetRequiredService<IDataProtectionProvider>().CreateProtector("cookie").Protect("from B")));
        // The keys the two payloads were protected with (one, or one each): a node's own new key is
        // in its ring at once, the other's arrives by replication a moment later.
        var ids = protectedOn.Select(KeyIdOf).Distinct().ToList();
        await WaitUntil(() => _stores.All(store => ids.All(id => store.DataProtectionKeys.ContainsKey($"key-{id:D}"))), "every key in every node's store");
        var keys = _stores[0].DataProtectionKeys;
        output.WriteLine($"keys made by two nodes starting together: {keys.Count}; one as the cluster holds it: {keys.Values.First()}");

        // Every node's cached ring comes to hold every key (ASP.NET Core would otherwise keep its
        // first ring for up to a day and refuse the other node's cookies after its first two minutes).
        foreach (var (provider, name) in new[] { (a, "A"), (b, "B") })
            await WaitUntil(() => ids.All(id => provider.GetRequiredService<IKeyRingProvider>().GetCurrentKeyRing()
                .GetAuthenticatedEncryptorByKeyId(id, out _) is not null), $"every key in {name}'s ring");

        Assert.Equal("from A", Unprotect(b, protectedOn[0]));
        Assert.Equal("from B", Unprotect(a, protectedOn[1]));
        Assert.Equal("from A", Unprotect(a, protectedOn[0]));

        // What the cluster holds is encrypted under the cookie secret: no key material in the clear.
        Assert.All(_stores[2].DataProtectionKeys.Values, xml =>
        {
            Assert.Contains(typeof(KeyRingXmlDecryptor).FullName!, xml);
            Assert.Contains("<encryptedKey version=\"1\"", xml);
            Assert.DoesNotContain("<value>", xml);
        });
        // (A node with another secret cannot read the ring; it makes a key of its own that only it can read.)
        var otherSecret = Provider(_stores[2], RandomNumberGenerator.GetBytes(32));
        Assert.ThrowsAny<CryptographicException>(() => Unprotect(otherSecret, protectedOn[0]));

        // A crashes and is downed; B, and C started only now, still read what A protected.
        var aAddress = AkkaCluster.Get(_systems[0]).SelfAddress;
        await _systems[0].Terminate().WaitAsync(Timeout);
        AkkaCluster.Get(_systems[1]).Down(aAddress);
        await WaitUntil(() => AkkaCluster.Get(_systems[2]).State.Members.All(m => m.Address != aAddress), "A removed");
        var c = Provider(_stores[2], _secret);
        Assert.Equal("from A", Unprotect(b, protectedOn[0]));
        Assert.Equal("from A", Unprotect(c, protectedOn[0]));
        Assert.Equal("from B", Unprotect(c, protectedOn[1]));
        Assert.All(keys.Keys, id => Assert.Contains(id, _stores[2].DataProtectionKeys.Keys));
    }

    private ServiceProvider Provider(ISignInStore store, byte[] secret)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(store);
        services.AddClusterDataProtection(new SignInConfig
        {
            Provider = "oidc",
            ProviderUrl = new Uri("https://idp.example.com"),
            ClientId = "gateway",
            ClientSecret = "secret",
            AuthenticateServiceUrl = new Uri("https://auth.example.com/"),
            CookieSecret = secret,
        });
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    /// <summary>The id of the key a payload was protected with: after Data Protection's 4-byte magic header.</summary>
    private static Guid KeyIdOf(string payload) => new(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(payload).AsSpan(4, 16));

    private static string Unprotect(IServiceProvider provider, string payload)
        => provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("cookie").Unprotect(payload);

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"not within {Timeout.TotalSeconds}s: {what}");
            await Task.Delay(20);
        }
    }
}
