using System.Buffers.Binary;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>Our client against our server for every algorithm combination, over real loopback sockets.</summary>
public class InProcessMatrixTests
{
    public static IEnumerable<object?[]> Matrix() =>
        from kex in AlgorithmMatrix.Kex
        from hostKey in AlgorithmMatrix.HostKeys
        from suite in AlgorithmMatrix.CipherSuites
        select new object?[] { kex, suite.Cipher, suite.Mac, hostKey };

    public static IEnumerable<object?[]> CipherSuites() =>
        AlgorithmMatrix.CipherSuites.Select(s => new object?[] { s.Cipher, s.Mac });

    private static readonly int[] PayloadSizes = [1, 2, 5, 15, 16, 17, 100, 1000, 4095, 32768, 65536 + 7, 200_000, SshTransportOptions.MaxPayloadSize];

    internal static Action<SshAlgorithmPreferences> Force(string kex, string cipher, string? mac, string hostKey) => a =>
    {
        a.KeyExchange = [kex];
        a.Ciphers = [cipher];
        if (mac is not null) a.Macs = [mac];
        a.HostKey = [hostKey];
    };

    internal static SshTransportOptions Server(Action<SshTransportOptions>? configure = null)
    {
        var options = TransportFactory.ServerOptions(a => a.KeyExchange = [.. a.KeyExchange, "ecdh-sha2-nistp256"]);
        configure?.Invoke(options);
        return options;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Forced_combination_handshakes_and_carries_messages_of_every_size(string kex, string cipher, string? mac, string hostKey)
    {
        SshPublicKey? seen = null;
        var clientOptions = TransportFactory.ClientOptions(Force(kex, cipher, mac, hostKey), verifier: k => { seen = k; return true; });
        var (client, server, sockets) = await TransportFactory.ConnectPairAsync(clientOptions, Server());
        using var _ = sockets;
        await using var c = client;
        await using var s = server;

        var expected = new NegotiatedAlgorithms(kex, hostKey, cipher, cipher, mac, mac);
        Assert.Equal(expected, client.NegotiatedAlgorithms);
        Assert.Equal(expected, server.NegotiatedAlgorithms);
        var expectedKey = hostKey switch
        {
            "ssh-ed25519" => TestHostKeys.Ed25519.PublicKey,
            "ecdsa-sha2-nistp256" => TestHostKeys.Ecdsa.PublicKey,
            _ => TestHostKeys.Rsa.PublicKey,
        };
        Assert.Equal(expectedKey, seen);
        Assert.Equal(client.SessionId.ToArray(), server.SessionId.ToArray());

        var clientHandler = new CollectingHandler();
        var serverHandler = new CollectingHandler();
        client.Start(clientHandler);
        server.Start(serverHandler);
        foreach (var size in PayloadSizes)
        {
            var payload = Pattern(size, (uint)size);
            await client.SendAsync(payload);
            Assert.Equal(payload, await serverHandler.NextAsync());
            await server.SendAsync(payload.AsMemory(0, Math.Min(5, size)), payload.AsMemory(Math.Min(5, size)));
            Assert.Equal(payload, await clientHandler.NextAsync());
        }
    }

    [Theory]
    [MemberData(nameof(CipherSuites))]
    public async Task Bulk_traffic_both_ways_survives_rekeys_from_both_sides(string cipher, string? mac)
    {
        var force = Force("curve25519-sha256", cipher, mac, "ssh-ed25519");
        var (client, server, sockets) = await TransportFactory.ConnectPairAsync(TransportFactory.ClientOptions(force), Server());
        using var _ = sockets;
        await using var c = client;
        await using var s = server;
        await RunBulkAsync(client, server, totalBytes: 20 * 1024 * 1024, rekey: true);
        Assert.True(client.KeyExchangeCount >= 5, $"only {client.KeyExchangeCount} key exchanges");
        // The last rekey may still be finishing on one side when the traffic is done: let it land.
        var settled = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (client.KeyExchangeCount != server.KeyExchangeCount && DateTime.UtcNow < settled)
            await Task.Delay(20);
        Assert.Equal(client.KeyExchangeCount, server.KeyExchangeCount);
    }

    [Fact]
    public async Task Rekey_by_bytes_and_packets_starts_automatically_on_both_sides()
    {
        var clientOptions = TransportFactory.ClientOptions();
        clientOptions.RekeyBytes = 1024 * 1024;
        var serverOptions = Server(o => o.RekeyPackets = 500);
        var (client, server, sockets) = await TransportFactory.ConnectPairAsync(clientOptions, serverOptions);
        using var _ = sockets;
        await using var c = client;
        await using var s = server;
        await RunBulkAsync(client, server, totalBytes: 8 * 1024 * 1024, rekey: false, authenticate: true);
        Assert.True(client.KeyExchangeCount >= 6, $"only {client.KeyExchangeCount} key exchanges");
    }

    [Fact]
    public async Task Rekey_by_time()
    {
        var clientOptions = TransportFactory.ClientOptions();
        clientOptions.RekeyTime = TimeSpan.FromMilliseconds(200);
        var (client, server, sockets) = await TransportFactory.ConnectPairAsync(clientOptions, Server());
        using var _ = sockets;
        await using var c = client;
        await using var s = server;
        var serverHandler = new CollectingHandler();
        var clientHandler = new CollectingHandler();
        client.Start(clientHandler);
        server.Start(serverHandler);
        await Task.Delay(500);
        Assert.Equal(1, client.KeyExchangeCount); // not before authentication
        await AuthenticateAsync(client, server);
        Assert.Equal(SshMessageNumber.UserAuthSuccess, (await clientHandler.NextAsync())[0]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (client.KeyExchangeCount < 4 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(client.KeyExchangeCount >= 4, $"only {client.KeyExchangeCount} key exchanges");
        await client.SendAsync(new byte[] { 200, 7 });
        Assert.Equal(new byte[] { 200, 7 }, await serverHandler.NextAsync());
    }

    [Fact]
    public async Task No_automatic_rekey_before_Start_and_authentication()
    {
        var clientOptions = TransportFactory.ClientOptions();
        clientOptions.RekeyTime = TimeSpan.FromMilliseconds(50);
        clientOptions.RekeyPackets = 3;
        var serverOptions = Server(o => { o.RekeyTime = TimeSpan.FromMilliseconds(50); o.RekeyPackets = 3; });
        var (client, server, sockets) = await TransportFactory.ConnectPairAsync(clientOptions, serverOptions);
        using var _ = sockets;
        await using var c = client;
        await using var s = server;
        await Task.Delay(300);
        var serverHandler = new CollectingHandler();
        client.Start(new CollectingHandler());
        server.Start(serverHandler);
        for (byte i = 0; i < 10; i++)
        {
            await client.SendAsync(new byte[] { 50, i });
            Assert.Equal(new byte[] { 50, i }, await serverHandler.NextAsync());
        }
        await Task.Delay(300);
        Assert.Equal(1, client.KeyExchangeCount);
        Assert.Equal(1, server.KeyExchangeCount);
    }

    /// <summary>
    /// Sends numbered 32 KiB messages both ways at once, optionally forcing rekeys from both sides
    /// meanwhile, and checks every message arrives intact and in order.
    /// </summary>
    internal static async Task RunBulkAsync(SshTransport client, SshTransport server, long totalBytes, bool rekey, bool authenticate = false)
    {
        const int size = 32 * 1024;
        var count = (int)(totalBytes / size);
        var clientSink = new OrderedSink(count, size);
        var serverSink = new OrderedSink(count, size);
        client.Start(clientSink);
        server.Start(serverSink);
        if (authenticate) await AuthenticateAsync(client, server);

        var rekeys = new System.Collections.Concurrent.ConcurrentBag<Task>();
        async Task SendAll(SshTransport transport, int rekeyOffset)
        {
            var buffer = new byte[size];
            var rekeyEvery = Math.Max(1, count / 5);
            for (var i = 0; i < count; i++)
            {
                // Start rekeys from this side while both directions are busy; they complete later.
                if (rekey && i % rekeyEvery == rekeyOffset) rekeys.Add(transport.RekeyAsync());
                Fill(buffer, (uint)i);
                await transport.SendAsync(buffer);
            }
        }

        var senders = Task.WhenAll(Task.Run(() => SendAll(client, 1)), Task.Run(() => SendAll(server, Math.Max(1, count / 10))));
        await senders.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.WhenAll(rekeys).WaitAsync(TimeSpan.FromSeconds(30));
        await Task.WhenAll(clientSink.Done, serverSink.Done).WaitAsync(TimeSpan.FromSeconds(60));
        if (rekey)
        {
            // Both directions still work after the last rekey, even when the transfer was quick.
            await client.RekeyAsync().WaitAsync(TimeSpan.FromSeconds(20));
            await server.RekeyAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>Lets USERAUTH_SUCCESS pass from server to client, which enables automatic rekeys on both.</summary>
    internal static async Task AuthenticateAsync(SshTransport client, SshTransport server)
    {
        await server.SendAsync(new byte[] { SshMessageNumber.UserAuthSuccess });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!client.IsAuthenticated && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(client.IsAuthenticated && server.IsAuthenticated);
    }

    internal static byte[] Pattern(int size, uint seed)
    {
        var payload = new byte[size];
        Fill(payload, seed);
        return payload;
    }

    private static void Fill(byte[] buffer, uint seed)
    {
        buffer[0] = 200;
        if (buffer.Length >= 5) BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1), seed);
        for (var i = 5; i < buffer.Length; i++) buffer[i] = (byte)(seed * 31 + i);
    }

    /// <summary>Checks that numbered messages arrive complete and in order.</summary>
    private sealed class OrderedSink(int expected, int size) : ISshMessageHandler
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private uint _next;

        public Task Done => _done.Task;

        public ValueTask HandleMessageAsync(ReadOnlyMemory<byte> payload)
        {
            var span = payload.Span;
            if (span[0] == SshMessageNumber.UserAuthSuccess) return ValueTask.CompletedTask;
            if (span.Length != size || span[0] != 200 || BinaryPrimitives.ReadUInt32BigEndian(span[1..]) != _next)
            {
                _done.TrySetException(new Xunit.Sdk.XunitException($"message {_next} is wrong: length {span.Length}"));
                return ValueTask.CompletedTask;
            }
            for (var i = 5; i < span.Length; i++)
            {
                if (span[i] != (byte)(_next * 31 + i))
                {
                    _done.TrySetException(new Xunit.Sdk.XunitException($"message {_next} corrupted at byte {i}"));
                    return ValueTask.CompletedTask;
                }
            }
            if (++_next == expected) _done.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }
}
