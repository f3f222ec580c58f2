using System.Net;
using Akka.Configuration;
using Gateway.Config;
using Gateway.Contracts.Tunnels;
using Gateway.Node.Cluster;
using Gateway.Node.Relay;
using Gateway.Testing;

namespace Gateway.Node.Tests.Cluster;

public sealed class RelayPartsTests
{
    private static readonly TunnelEndpoint Endpoint = new("s1/r1", "r1", "akka.tcp://gateway@127.0.0.1:4053", "s1", "alice@example.com", "127.0.0.1:5000",
        true, "localhost", 0, DateTimeOffset.UnixEpoch);

    private static RelayTicket Ticket => new(Endpoint, new Uri("http://127.0.0.1:8080"), null);

    [Fact]
    public void A_token_is_random_single_use_and_expires()
    {
        var time = new ManualClock();
        var store = new RelayTicketStore(time);
        var first = store.Issue(Ticket)!;
        var second = store.Issue(Ticket)!;
        Assert.NotEqual(first, second);
        Assert.Equal(RelayProtocol.TokenLength, first.Length);

        Assert.Equal(Ticket, store.Redeem(first));
        Assert.Null(store.Redeem(first));

        time.Advance(RelayTicketStore.Lifetime + TimeSpan.FromSeconds(1));
        Assert.Null(store.Redeem(second));
        Assert.Null(store.Redeem("0123456789abcdef0123456789abcdef"));
    }

    [Fact]
    public void Outstanding_tokens_are_bounded_and_expired_ones_make_room()
    {
        var time = new ManualClock();
        var store = new RelayTicketStore(time);
        for (var i = 0; i < RelayTicketStore.MaxPending; i++) Assert.NotNull(store.Issue(Ticket));
        Assert.Null(store.Issue(Ticket));
        time.Advance(RelayTicketStore.Lifetime + TimeSpan.FromSeconds(1));
        Assert.NotNull(store.Issue(Ticket));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task Header_and_reply_round_trip_and_foreign_bytes_are_rejected()
    {
        var token = new string('a', 16) + "0123456789abcdef";
        Assert.Equal(token, RelayProtocol.ParseHeader(RelayProtocol.Header(token)));
        Assert.Null(RelayProtocol.ParseHeader("GET / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"u8[..RelayProtocol.HeaderLength]));
        var upper = RelayProtocol.Header(token);
        upper[10] = (byte)'A';
        Assert.Null(RelayProtocol.ParseHeader(upper));

        using var stream = new MemoryStream(RelayProtocol.Reply(RelayProtocol.Refused, "no such endpoint"));
        Assert.Equal((RelayProtocol.Refused, "no such endpoint"), await RelayProtocol.ReadReplyAsync(stream, CancellationToken.None));
        using var gone = new MemoryStream(RelayProtocol.Reply(RelayProtocol.Gone, "the tunnel closed"));
        Assert.Equal((RelayProtocol.Gone, "the tunnel closed"), await RelayProtocol.ReadReplyAsync(gone, CancellationToken.None));
        using var refused = new MemoryStream(RelayProtocol.Reply(RelayProtocol.ClientRefused, "connect failed"));
        Assert.Equal((RelayProtocol.ClientRefused, "connect failed"), await RelayProtocol.ReadReplyAsync(refused, CancellationToken.None));
        using var unknown = new MemoryStream(RelayProtocol.Reply(9, ""));
        await Assert.ThrowsAnyAsync<IOException>(() => RelayProtocol.ReadReplyAsync(unknown, CancellationToken.None));
        using var truncated = new MemoryStream([RelayProtocol.Open, 0]);
        await Assert.ThrowsAnyAsync<IOException>(() => RelayProtocol.ReadReplyAsync(truncated, CancellationToken.None));
    }

    [Theory]
    [InlineData("10.0.0.1", 4153)]
    [InlineData("node-b.internal", 1)]
    [InlineData("::1", 65535)]
    public void Relay_address_round_trips_through_a_cluster_role(string host, int port)
    {
        var role = RelayRole.Format(new DnsEndPoint(host, port));
        Assert.Equal(new DnsEndPoint(host, port), RelayRole.Parse(["gateway", role]));
        Assert.Null(RelayRole.Parse(["gateway"]));
        Assert.Null(RelayRole.Parse(["relay=host-without-port"]));
    }

    [Fact]
    public void Config_akka_block_is_applied_under_akka_and_wins_over_the_defaults()
    {
        using var dir = new TempDirectory();
        var path = dir.WritePrivate("node.hocon", """
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
            akka { cluster.split-brain-resolver.stable-after = 4s, loglevel = "WARNING" }
            akka.cluster.seed-nodes = ["akka.tcp://gateway@10.0.0.1:4053"]
            akka.remote.dot-netty.tcp.public-hostname = "a b:c=d"
            """);
        var config = GatewayConfigLoader.Load(path, new Dictionary<string, string>(), []);
        var rerooted = AkkaOverrideConfig.Reroot(config.AkkaOverrides)!;
        Assert.True(rerooted.HasPath("akka.cluster.failure-detector.acceptable-heartbeat-pause"), rerooted.ToString());
        var effective = rerooted.WithFallback(ConfigurationFactory.ParseString(ClusterSetup.Defaults));
        Assert.Equal(TimeSpan.FromSeconds(2), effective.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(TimeSpan.FromSeconds(4), effective.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal("WARNING", effective.GetString("akka.loglevel"));
        Assert.Equal(["akka.tcp://gateway@10.0.0.1:4053"], effective.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal("a b:c=d", effective.GetString("akka.remote.dot-netty.tcp.public-hostname"));
        Assert.Equal(TimeSpan.FromSeconds(3), effective.GetTimeSpan("akka.cluster.down-removal-margin"));
        Assert.Null(AkkaOverrideConfig.Reroot(null));
    }

    [Fact]
    public void Status_address_comes_from_the_file_the_environment_or_a_flag()
    {
        using var dir = new TempDirectory();
        var path = dir.WritePrivate("node.hocon", """cluster { status_address = "127.0.0.1:8081" }""");
        Assert.Equal(new HostPort("127.0.0.1", 8081), GatewayConfigLoader.Load(path, new Dictionary<string, string>(), []).Cluster!.StatusAddress);
        var env = new Dictionary<string, string> { ["GATEWAY_STATUS_ADDRESS"] = "0.0.0.0:8082" };
        Assert.Equal(new HostPort("0.0.0.0", 8082), GatewayConfigLoader.Load(path, env, []).Cluster!.StatusAddress);
        Assert.Equal(new HostPort("127.0.0.1", 8083), GatewayConfigLoader.Load(path, env, ["--status-address", "127.0.0.1:8083"]).Cluster!.StatusAddress);
        Assert.Null(GatewayConfigLoader.Load(dir.WritePrivate("empty.hocon", ""), new Dictionary<string, string>(), []).Cluster?.StatusAddress);
        Assert.Throws<ConfigException>(() => GatewayConfigLoader.Load(path, new Dictionary<string, string>(), ["--status-address", "nope:"]));
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks = 1_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
