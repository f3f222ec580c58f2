using System.Collections.Concurrent;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>Behaviour of two running transports: errors after the handshake, limits, service requests, strict KEX details.</summary>
public class ConnectionBehaviourTests
{
    /// <summary>Like <see cref="TransportFactory.ConnectPairAsync"/>, with each side's stream wrapped in a <see cref="TamperStream"/>.</summary>
    /// <remarks>
    /// With <paramref name="plainServerSocket"/> the server gets the NetworkStream itself (its
    /// writer then uses gathering socket sends) and <c>ServerStream</c> is an unused wrapper.
    /// </remarks>
    private static async Task<(SshTransport Client, SshTransport Server, TamperStream ClientStream, TamperStream ServerStream, SocketPair Sockets)> PairAsync(
        SshTransportOptions? clientOptions = null, SshTransportOptions? serverOptions = null, Action<TamperStream>? prepareClientStream = null,
        bool requestService = true, bool plainServerSocket = false)
    {
        var sockets = await SocketPair.CreateAsync();
        var clientStream = new TamperStream(sockets.Client.GetStream());
        var serverStream = new TamperStream(sockets.Server.GetStream());
        prepareClientStream?.Invoke(clientStream);
        var serverTask = SshTransport.AcceptAsync(plainServerSocket ? sockets.Server.GetStream() : serverStream, serverOptions ?? TransportFactory.ServerOptions(), null);
        var clientTask = SshTransport.ConnectAsync(clientStream, clientOptions ?? TransportFactory.ClientOptions(), null);
        await Task.WhenAll(serverTask, clientTask).WaitAsync(TimeSpan.FromSeconds(30));
        if (requestService) await clientTask.Result.RequestServiceAsync("ssh-userauth").WaitAsync(TimeSpan.FromSeconds(10));
        return (clientTask.Result, serverTask.Result, clientStream, serverStream, sockets);
    }

    [Theory]
    [MemberData(nameof(InProcessMatrixTests.CipherSuites), MemberType = typeof(InProcessMatrixTests))]
    public async Task Corrupted_byte_after_kex_is_a_mac_error_on_both_ends(string cipher, string? mac)
    {
        var clientOptions = TransportFactory.ClientOptions(InProcessMatrixTests.Force("curve25519-sha256", cipher, mac, "ssh-ed25519"));
        var (client, server, _, serverStream, sockets) = await PairAsync(clientOptions);
        using var _ = sockets;
        server.Start(new CollectingHandler());
        client.Start(new CollectingHandler());

        serverStream.CorruptNextRead();
        await client.SendAsync(InProcessMatrixTests.Pattern(1000, 1));

        var serverEnd = Assert.IsType<SshProtocolException>(await TransportFactory.EndAsync(server.Completion));
        Assert.Equal(DisconnectReason.MacError, serverEnd.Reason);
        var clientEnd = Assert.IsType<SshConnectionClosedException>(await TransportFactory.EndAsync(client.Completion));
        Assert.Equal(DisconnectReason.MacError, clientEnd.Reason);
        Assert.True(client.Closed.IsCancellationRequested && server.Closed.IsCancellationRequested);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Peer_that_stops_reading_is_disconnected_when_posted_messages_pile_up(bool plainServerSocket)
    {
        var (client, server, clientStream, _, sockets) = await PairAsync(plainServerSocket: plainServerSocket);
        using var _ = sockets;
        server.Start(new CollectingHandler());
        client.Start(new CollectingHandler());
        clientStream.PauseReading();

        var message = InProcessMatrixTests.Pattern(1024, 3);
        var posted = 0;
        for (; posted < 200_000 && !server.Closed.IsCancellationRequested; posted++)
            server.Post(message);

        var end = Assert.IsType<SshConnectionClosedException>(await TransportFactory.EndAsync(server.Completion));
        Assert.Contains("stopped reading", end.Message);
        Assert.True(posted < 200_000, "Post never hit its limit");
        await client.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Peer_that_stops_reading_blocks_SendAsync_and_then_times_out(bool plainServerSocket)
    {
        var serverOptions = TransportFactory.ServerOptions();
        serverOptions.WriteTimeout = TimeSpan.FromSeconds(1);
        var (client, server, clientStream, _, sockets) = await PairAsync(serverOptions: serverOptions, plainServerSocket: plainServerSocket);
        using var _ = sockets;
        server.Start(new CollectingHandler());
        client.Start(new CollectingHandler());
        clientStream.PauseReading();

        var message = InProcessMatrixTests.Pattern(32 * 1024, 4);
        var sent = 0;
        var failure = await Record.ExceptionAsync(async () =>
        {
            for (; sent < 100_000; sent++)
                await server.SendAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        });
        Assert.IsType<SshConnectionClosedException>(failure);
        // Bounded: socket buffers plus the 64-message queue, far below 100k x 32 KiB.
        Assert.True(sent < 2000, $"{sent} messages were accepted without backpressure");
        var end = Assert.IsType<SshConnectionClosedException>(await TransportFactory.EndAsync(server.Completion));
        Assert.Contains("stopped reading", end.Message);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Unknown_transport_message_gets_UNIMPLEMENTED_with_its_sequence_number_reset_by_strict_kex()
    {
        Assert.Equal(0u, await UnimplementedSequenceAsync(strict: true));
    }

    [Fact]
    public async Task Without_strict_kex_sequence_numbers_continue_after_NEWKEYS()
    {
        // KEXINIT, KEX_ECDH_INIT and NEWKEYS were packets 0..2.
        Assert.Equal(3u, await UnimplementedSequenceAsync(strict: false));
    }

    private static async Task<uint> UnimplementedSequenceAsync(bool strict)
    {
        var clientOptions = TransportFactory.ClientOptions();
        clientOptions.EnableStrictKex = strict;
        var (client, server, _, _, sockets) = await PairAsync(clientOptions, requestService: false);
        using var _ = sockets;
        await using var c = client;
        await using var s = server;
        Assert.Equal(strict, client.IsStrictKex);
        Assert.Equal(strict, server.IsStrictKex);
        var log = new BlockingCollection<string>();
        client.Log += log.Add;
        client.Start(new CollectingHandler());
        server.Start(new CollectingHandler());
        await client.SendAsync(new byte[] { 15, 1, 2 });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var line = log.Take(cts.Token);
            const string prefix = "peer did not implement our message with sequence number ";
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return uint.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    [Fact]
    public async Task Strict_kex_names_in_later_KEXINITs_are_ignored()
    {
        var clientOptions = TransportFactory.ClientOptions();
        clientOptions.EnableStrictKex = false;
        clientOptions.SignalExtensionsInRekeys = true;
        var (client, server, _, _, sockets) = await PairAsync(clientOptions);
        using var _ = sockets;
        await using var c = client;
        await using var s = server;
        Assert.False(server.IsStrictKex);
        // If the server switched to strict mode now, its sequence numbers would reset and every packet would fail its MAC.
        await InProcessMatrixTests.RunBulkAsync(client, server, totalBytes: 2 * 1024 * 1024, rekey: true);
        Assert.False(server.IsStrictKex);
        Assert.True(client.KeyExchangeCount >= 3);
    }

    [Fact]
    public async Task Client_accepts_lines_before_the_server_identification()
    {
        var (client, server, _, _, sockets) = await PairAsync(prepareClientStream: s =>
            s.Prefix(System.Text.Encoding.ASCII.GetBytes("Welcome\r\nto the test\nserver\r\n")));
        using var _ = sockets;
        await using var c = client;
        await using var s = server;
        Assert.Equal("SSH-2.0-Gateway_1.0", client.RemoteVersion);
    }

    [Fact]
    public async Task Client_gives_up_after_1024_lines_without_identification()
    {
        using var sockets = await SocketPair.CreateAsync();
        var clientStream = new TamperStream(sockets.Client.GetStream());
        clientStream.Prefix(System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("noise\r\n", 1100))));
        var ex = await Assert.ThrowsAsync<SshProtocolException>(() =>
            SshTransport.ConnectAsync(clientStream, TransportFactory.ClientOptions(), null).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("1024 lines", ex.Message);
    }

    [Fact]
    public async Task Server_refuses_upper_layer_messages_before_the_service_request()
    {
        var (client, server, _, _, sockets) = await PairAsync(requestService: false);
        using var _ = sockets;
        server.Start(new CollectingHandler());
        client.Start(new CollectingHandler());
        await client.SendAsync(new byte[] { SshMessageNumber.UserAuthRequest, 0, 0, 0, 0 });
        var serverEnd = Assert.IsType<SshProtocolException>(await TransportFactory.EndAsync(server.Completion));
        Assert.Contains("before SERVICE_REQUEST", serverEnd.Message);
        await TransportFactory.EndAsync(client.Completion);
    }

    [Fact]
    public async Task Unknown_service_is_refused_with_service_not_available()
    {
        var (client, server, _, _, sockets) = await PairAsync(requestService: false);
        using var _ = sockets;
        server.Start(new CollectingHandler());
        client.Start(new CollectingHandler());
        var refused = await Assert.ThrowsAsync<SshConnectionClosedException>(() => client.RequestServiceAsync("ssh-connection").WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(DisconnectReason.ServiceNotAvailable, refused.Reason);
        var serverEnd = Assert.IsType<SshProtocolException>(await TransportFactory.EndAsync(server.Completion));
        Assert.Equal(DisconnectReason.ServiceNotAvailable, serverEnd.Reason);
        await TransportFactory.EndAsync(client.Completion);
    }

    [Fact]
    public async Task SendAsync_and_Post_keep_one_order()
    {
        var (client, server, _, _, sockets) = await PairAsync();
        using var _ = sockets;
        await using var c = client;
        await using var s = server;
        var handler = new CollectingHandler();
        server.Start(handler);
        client.Start(new CollectingHandler());
        var big = new byte[64 * 1024];
        big[0] = 200;
        var rekeys = new List<Task>();
        for (var i = 0; i < 300; i++)
        {
            // A posted message (think CHANNEL_EOF) must never overtake data sent before it.
            big[1] = (byte)i;
            await client.SendAsync(big);
            client.Post(new byte[] { 201, (byte)i });
            if (i % 50 == 0) rekeys.Add(client.RekeyAsync());
        }
        for (var i = 0; i < 300; i++)
        {
            var data = await handler.NextAsync();
            Assert.Equal((200, (byte)i, big.Length), (data[0], data[1], data.Length));
            Assert.Equal(new byte[] { 201, (byte)i }, await handler.NextAsync());
        }
        await Task.WhenAll(rekeys).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(client.KeyExchangeCount >= 2);
    }

    [Fact]
    public async Task Messages_sent_before_Start_wait_and_arrive_in_order()
    {
        var (client, server, _, _, sockets) = await PairAsync();
        using var _ = sockets;
        await using var c = client;
        await using var s = server;
        for (byte i = 0; i < 10; i++) await client.SendAsync(new byte[] { 200, i });
        await Task.Delay(100);
        var handler = new CollectingHandler();
        server.Start(handler);
        for (byte i = 0; i < 10; i++) Assert.Equal(new byte[] { 200, i }, await handler.NextAsync());
    }

    [Fact]
    public async Task Handler_failure_disconnects_cleanly()
    {
        var (client, server, _, _, sockets) = await PairAsync();
        using var _ = sockets;
        server.Start(new ThrowingHandler());
        client.Start(new CollectingHandler());
        await client.SendAsync(new byte[] { 200 });
        var serverEnd = Assert.IsType<SshConnectionClosedException>(await TransportFactory.EndAsync(server.Completion));
        Assert.Equal(DisconnectReason.ByApplication, serverEnd.Reason);
        Assert.IsType<InvalidOperationException>(serverEnd.InnerException);
        var clientEnd = Assert.IsType<SshConnectionClosedException>(await TransportFactory.EndAsync(client.Completion));
        Assert.Equal(DisconnectReason.ByApplication, clientEnd.Reason);
    }

    [Fact]
    public async Task Handler_protocol_exception_is_sent_as_the_disconnect_reason()
    {
        var (client, server, _, _, sockets) = await PairAsync();
        using var _ = sockets;
        server.Start(new ThrowingHandler(new SshProtocolException(DisconnectReason.IllegalUserName, "no such user")));
        client.Start(new CollectingHandler());
        await client.SendAsync(new byte[] { 50 });
        Assert.IsType<SshProtocolException>(await TransportFactory.EndAsync(server.Completion));
        var clientEnd = Assert.IsType<SshConnectionClosedException>(await TransportFactory.EndAsync(client.Completion));
        Assert.Equal(DisconnectReason.IllegalUserName, clientEnd.Reason);
        Assert.Contains("no such user", clientEnd.Message);
    }

    [Fact]
    public async Task Handler_can_post_a_reply_and_disconnect_without_deadlock()
    {
        var (client, server, _, _, sockets) = await PairAsync();
        using var _ = sockets;
        server.Start(new PostThenDisconnectHandler(server));
        var clientHandler = new CollectingHandler();
        client.Start(clientHandler);
        await client.SendAsync(new byte[] { 50 });
        // The posted reply arrives before the DISCONNECT, and both sides end.
        Assert.Equal(new byte[] { 51, 7 }, await clientHandler.NextAsync());
        var clientEnd = Assert.IsType<SshConnectionClosedException>(await TransportFactory.EndAsync(client.Completion));
        Assert.Equal(DisconnectReason.NoMoreAuthMethodsAvailable, clientEnd.Reason);
        Assert.Null(await TransportFactory.EndAsync(server.Completion));
    }

    private sealed class PostThenDisconnectHandler(SshTransport transport) : ISshMessageHandler
    {
        public async ValueTask HandleMessageAsync(ReadOnlyMemory<byte> payload)
        {
            transport.Post(new byte[] { 51, 7 });
            await transport.DisconnectAsync(DisconnectReason.NoMoreAuthMethodsAvailable, "too many failures");
        }
    }

    [Fact]
    public async Task Operations_after_close_fail_with_connection_closed()
    {
        var (client, server, _, _, sockets) = await PairAsync();
        using var _ = sockets;
        await server.DisconnectAsync(DisconnectReason.ByApplication, "shutting down");
        Assert.Null(await TransportFactory.EndAsync(server.Completion));
        await Assert.ThrowsAsync<SshConnectionClosedException>(() => server.SendAsync(new byte[] { 200 }).AsTask());
        server.Post(new byte[] { 200 });
        var clientEnd = Assert.IsType<SshConnectionClosedException>(await TransportFactory.EndAsync(client.Completion));
        Assert.Contains("shutting down", clientEnd.Message);
        await Assert.ThrowsAsync<SshConnectionClosedException>(() => client.RekeyAsync());
    }

    [Fact]
    public async Task Invalid_options_are_rejected_naming_the_entry()
    {
        var options = TransportFactory.ServerOptions(a => a.Ciphers = ["aes256-gcm@openssh.com", "3des-cbc"]);
        var ex = Assert.Throws<ArgumentException>(() => options.Algorithms.Validate());
        Assert.Contains("3des-cbc", ex.Message);
        using var sockets = await SocketPair.CreateAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => SshTransport.AcceptAsync(sockets.Server.GetStream(), options, null));
        await Assert.ThrowsAsync<ArgumentException>(() => SshTransport.ConnectAsync(sockets.Client.GetStream(), new SshTransportOptions(), null));
        Assert.Throws<ArgumentException>(() => new SshAlgorithmPreferences { KeyExchange = ["ext-info-c"] }.Validate());
        new SshAlgorithmPreferences().Validate();
    }

    [Fact]
    public async Task Rekey_that_the_peer_never_answers_times_out()
    {
        var clientOptions = TransportFactory.ClientOptions();
        clientOptions.HandshakeTimeout = TimeSpan.FromSeconds(1);
        var (client, server, _, serverStream, sockets) = await PairAsync(clientOptions);
        using var _ = sockets;
        client.Start(new CollectingHandler());
        server.Start(new CollectingHandler());
        serverStream.PauseReading();
        var rekey = client.RekeyAsync();
        var end = Assert.IsType<SshProtocolException>(await TransportFactory.EndAsync(client.Completion));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, end.Reason);
        await Assert.ThrowsAnyAsync<Exception>(() => rekey);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Handshake_timeout_bounds_a_silent_server()
    {
        using var sockets = await SocketPair.CreateAsync();
        var options = TransportFactory.ClientOptions();
        options.HandshakeTimeout = TimeSpan.FromSeconds(1);
        var ex = await Assert.ThrowsAsync<SshConnectionClosedException>(() =>
            SshTransport.ConnectAsync(sockets.Client.GetStream(), options, null).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("did not complete within", ex.Message);
    }

    private sealed class ThrowingHandler(Exception? exception = null) : ISshMessageHandler
    {
        public ValueTask HandleMessageAsync(ReadOnlyMemory<byte> payload) =>
            throw (exception ?? new InvalidOperationException("handler bug"));
    }
}
