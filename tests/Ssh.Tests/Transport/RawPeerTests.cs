using Gateway.Ssh.Kex;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>Strict KEX (Terrapin) and malformed input, sent by a hand-driven client to our server.</summary>
public class RawPeerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>Runs our server on one end of a socket pair and hands the other end to <paramref name="script"/>.</summary>
    private static async Task<Exception> ServerFailureAsync(Func<RawSshPeer, Task> script, Action<SshTransportOptions>? configure = null)
    {
        using var sockets = await SocketPair.CreateAsync();
        var options = TransportFactory.ServerOptions();
        configure?.Invoke(options);
        var accept = SshTransport.AcceptAsync(sockets.Server.GetStream(), options, null);
        var peer = new RawSshPeer(sockets.Client.GetStream());
        Assert.Equal("SSH-2.0-Gateway_1.0", await peer.ReadLineAsync());
        await script(peer);
        var finished = await Task.WhenAny(accept, Task.Delay(Bound));
        Assert.True(finished == accept, "server handshake did not end within the bound");
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => accept);
        Assert.True(ex is SshProtocolException or SshConnectionClosedException, "unexpected exception " + ex);
        return ex;
    }

    private static async Task<(DisconnectReason, string)> ExpectDisconnectAsync(RawSshPeer peer)
    {
        var kexInit = await peer.ReadPacketAsync();
        Assert.NotNull(kexInit);
        Assert.Equal(SshMessageNumber.KexInit, kexInit![0]);
        var disconnect = await peer.ReadUntilDisconnectAsync().WaitAsync(Bound);
        Assert.NotNull(disconnect);
        return disconnect!.Value;
    }

    [Fact]
    public async Task Strict_kex_ignore_before_kexinit_is_disconnected()
    {
        (DisconnectReason, string) seen = default;
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            await peer.SendPacketAsync([SshMessageNumber.Ignore, 0, 0, 0, 0]);
            await peer.SendPacketAsync(RawSshPeer.ClientKexInit(strict: true));
            seen = await ExpectDisconnectAsync(peer);
        });
        var protocol = Assert.IsType<SshProtocolException>(ex);
        Assert.Contains("KEXINIT was not the first packet", protocol.Message);
        Assert.Equal(DisconnectReason.ProtocolError, seen.Item1);
        Assert.Contains("strict KEX", seen.Item2);
    }

    [Theory]
    [InlineData(SshMessageNumber.Ignore)]
    [InlineData(SshMessageNumber.Debug)]
    [InlineData(SshMessageNumber.Unimplemented)]
    [InlineData(SshMessageNumber.ServiceRequest)]
    [InlineData(SshMessageNumber.UserAuthRequest)]
    public async Task Strict_kex_unexpected_message_between_kexinit_and_newkeys_is_disconnected(byte number)
    {
        (DisconnectReason, string) seen = default;
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            await peer.SendPacketAsync(RawSshPeer.ClientKexInit(strict: true));
            await peer.SendPacketAsync([number, 0, 0, 0, 0]);
            seen = await ExpectDisconnectAsync(peer);
        });
        Assert.Contains($"unexpected message {number}", ex.Message);
        Assert.Equal(DisconnectReason.ProtocolError, seen.Item1);
    }

    [Fact]
    public async Task Without_strict_kex_an_ignore_before_kexinit_is_tolerated()
    {
        using var sockets = await SocketPair.CreateAsync();
        var accept = SshTransport.AcceptAsync(sockets.Server.GetStream(), TransportFactory.ServerOptions(), null);
        var peer = new RawSshPeer(sockets.Client.GetStream());
        await peer.ReadLineAsync();
        await peer.SendLineAsync("SSH-2.0-RawTest");
        await peer.SendPacketAsync([SshMessageNumber.Ignore, 0, 0, 0, 0]);
        await peer.SendPacketAsync(RawSshPeer.ClientKexInit(strict: false));
        using var kex = KeyExchangeAlgorithms.Create("curve25519-sha256");
        var clientValue = kex.CreateClientValue();
        await peer.SendPacketAsync(SshMessageBuilder.Build(SshMessageNumber.KexEcdhInit, w => w.WriteBinary(clientValue)));
        Assert.Equal(SshMessageNumber.KexInit, (await peer.ReadPacketAsync())![0]);
        Assert.Equal(SshMessageNumber.KexEcdhReply, (await peer.ReadPacketAsync())![0]);
        Assert.Equal(SshMessageNumber.NewKeys, (await peer.ReadPacketAsync())![0]);
        sockets.Client.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => accept.WaitAsync(Bound));
    }

    [Fact]
    public async Task Wrong_first_kex_packet_guess_is_ignored()
    {
        using var sockets = await SocketPair.CreateAsync();
        var accept = SshTransport.AcceptAsync(sockets.Server.GetStream(), TransportFactory.ServerOptions(), null);
        var peer = new RawSshPeer(sockets.Client.GetStream());
        await peer.ReadLineAsync();
        await peer.SendLineAsync("SSH-2.0-RawTest");
        // Guessing ecdh-sha2-nistp256 (not offered by the server) is a wrong guess: the packet after KEXINIT must be skipped.
        var kexInit = new KexInitMessage
        {
            Kex = ["ecdh-sha2-nistp256", "curve25519-sha256", KexInitMessage.StrictKexClient],
            HostKey = ["ssh-ed25519"],
            CiphersCtoS = ["aes128-gcm@openssh.com"],
            CiphersStoC = ["aes128-gcm@openssh.com"],
            MacsCtoS = ["hmac-sha2-256-etm@openssh.com"],
            MacsStoC = ["hmac-sha2-256-etm@openssh.com"],
            CompressionCtoS = ["none"],
            CompressionStoC = ["none"],
            FirstKexPacketFollows = true,
        }.Build();
        await peer.SendPacketAsync(kexInit);
        await peer.SendPacketAsync(SshMessageBuilder.Build(SshMessageNumber.KexEcdhInit, w => w.WriteBinary(new byte[65])));
        using var kex = KeyExchangeAlgorithms.Create("curve25519-sha256");
        var clientValue = kex.CreateClientValue();
        await peer.SendPacketAsync(SshMessageBuilder.Build(SshMessageNumber.KexEcdhInit, w => w.WriteBinary(clientValue)));
        Assert.Equal(SshMessageNumber.KexInit, (await peer.ReadPacketAsync())![0]);
        Assert.Equal(SshMessageNumber.KexEcdhReply, (await peer.ReadPacketAsync())![0]);
        Assert.Equal(SshMessageNumber.NewKeys, (await peer.ReadPacketAsync())![0]);
        sockets.Client.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => accept.WaitAsync(Bound));
    }

    [Fact]
    public async Task Right_first_kex_packet_guess_is_used()
    {
        using var sockets = await SocketPair.CreateAsync();
        var accept = SshTransport.AcceptAsync(sockets.Server.GetStream(), TransportFactory.ServerOptions(), null);
        var peer = new RawSshPeer(sockets.Client.GetStream());
        await peer.ReadLineAsync();
        await peer.SendLineAsync("SSH-1.99-RawTest"); // 1.99 means "2.0 as well" (RFC 4253 §5.1)
        // The server's first kex and host key entries are mlkem768x25519-sha256 and ssh-ed25519: the guess is right.
        await peer.SendPacketAsync(RawSshPeer.ClientKexInit(kex: "mlkem768x25519-sha256", firstKexPacketFollows: true));
        using var kex = KeyExchangeAlgorithms.Create("mlkem768x25519-sha256");
        var clientValue = kex.CreateClientValue();
        await peer.SendPacketAsync(SshMessageBuilder.Build(SshMessageNumber.KexEcdhInit, w => w.WriteBinary(clientValue)));
        Assert.Equal(SshMessageNumber.KexInit, (await peer.ReadPacketAsync())![0]);
        var reply = (await peer.ReadPacketAsync())!;
        Assert.Equal(SshMessageNumber.KexEcdhReply, reply[0]);
        var reader = new SshReader(reply.AsSpan(1));
        reader.ReadBinary();
        kex.CompleteAsClient(reader.ReadBinary());
        Assert.Equal(SshMessageNumber.NewKeys, (await peer.ReadPacketAsync())![0]);
        sockets.Client.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => accept.WaitAsync(Bound));
    }

    [Fact]
    public async Task Random_bytes_after_version_line()
    {
        var random = new Random(4253);
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            var junk = new byte[64 * 1024];
            random.NextBytes(junk);
            junk[0] = 0x7F; // make the first length absurd whatever the seed gives
            await peer.SendRawAsync(junk);
        });
        Assert.IsType<SshProtocolException>(ex);
    }

    [Fact]
    public async Task Absurd_packet_length()
    {
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            await peer.SendRawAsync([0xFF, 0xFF, 0xFF, 0xF0, 1, 2, 3, 4]);
        });
        Assert.Contains("bad packet length", ex.Message);
    }

    [Fact]
    public async Task Packet_length_not_block_aligned()
    {
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            await peer.SendRawAsync([0, 0, 0, 13, 4, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        });
        Assert.Contains("not a multiple", ex.Message);
    }

    [Fact]
    public async Task Payload_over_256_KiB_is_refused()
    {
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            await peer.SendRawAsync([0, 0x10, 0, 0, 4]);
        });
        Assert.Contains("bad packet length", ex.Message);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(200)]
    public async Task Bad_padding_length(int padding)
    {
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            await peer.SendRawAsync(RawSshPeer.PlainPacket([SshMessageNumber.Ignore, 0, 0, 0, 0], padding));
        });
        Assert.Contains("bad padding length", ex.Message);
    }

    [Fact]
    public async Task Truncated_packet_then_eof()
    {
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            var packet = RawSshPeer.PlainPacket(RawSshPeer.ClientKexInit());
            await peer.SendRawAsync(packet.AsSpan(0, packet.Length / 2).ToArray());
            peer.Stream.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        });
        var closed = Assert.IsType<SshConnectionClosedException>(ex);
        Assert.Contains("middle of a packet", closed.Message);
    }

    [Theory]
    [InlineData(SshMessageNumber.NewKeys)]
    [InlineData(SshMessageNumber.KexEcdhInit)]
    [InlineData(SshMessageNumber.KexEcdhReply)]
    public async Task Kex_message_before_kexinit_is_out_of_order(byte number)
    {
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            await peer.SendPacketAsync([number]);
        });
        Assert.Contains("out of order", ex.Message);
    }

    [Fact]
    public async Task Invalid_client_key_exchange_value_fails_the_kex()
    {
        DisconnectReason reason = default;
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            await peer.SendPacketAsync(RawSshPeer.ClientKexInit());
            await peer.SendPacketAsync(SshMessageBuilder.Build(SshMessageNumber.KexEcdhInit, w => w.WriteBinary(new byte[31])));
            reason = (await ExpectDisconnectAsync(peer)).Item1;
        });
        Assert.Equal(DisconnectReason.KeyExchangeFailed, Assert.IsType<SshProtocolException>(ex).Reason);
        Assert.Equal(DisconnectReason.KeyExchangeFailed, reason);
    }

    [Fact]
    public async Task No_common_algorithm_fails_the_kex()
    {
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            await peer.SendPacketAsync(RawSshPeer.ClientKexInit(kex: "diffie-hellman-group14-sha256"));
        });
        Assert.Equal(DisconnectReason.KeyExchangeFailed, Assert.IsType<SshProtocolException>(ex).Reason);
        Assert.Contains("no matching key exchange", ex.Message);
    }

    [Theory]
    [InlineData("SSH-1.5-OldClient")]
    [InlineData("SSH-3.0-Future")]
    [InlineData("SSH-2.0")]
    public async Task Unsupported_protocol_version(string line)
    {
        var ex = await ServerFailureAsync(peer => peer.SendLineAsync(line));
        Assert.Equal(DisconnectReason.ProtocolVersionNotSupported, Assert.IsType<SshProtocolException>(ex).Reason);
    }

    [Fact]
    public async Task Server_refuses_lines_before_the_client_identification()
    {
        var ex = await ServerFailureAsync(peer => peer.SendLineAsync("hello"));
        Assert.IsType<SshProtocolException>(ex);
    }

    [Fact]
    public async Task Overlong_identification_line()
    {
        var ex = await ServerFailureAsync(peer => peer.SendRawAsync(System.Text.Encoding.ASCII.GetBytes("SSH-2.0-" + new string('x', 400))));
        Assert.Contains("longer than", ex.Message);
    }

    [Fact]
    public async Task Silent_client_hits_the_handshake_timeout()
    {
        var started = DateTime.UtcNow;
        (DisconnectReason, string) seen = default;
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            seen = await ExpectDisconnectAsync(peer);
        }, o => o.HandshakeTimeout = TimeSpan.FromSeconds(1));
        Assert.Contains("did not complete within", ex.Message);
        Assert.Equal(DisconnectReason.KeyExchangeFailed, seen.Item1);
        Assert.Contains("did not complete within", seen.Item2);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Peer_disconnect_during_kex_ends_the_handshake_with_its_reason()
    {
        var ex = await ServerFailureAsync(async peer =>
        {
            await peer.SendLineAsync("SSH-2.0-RawTest");
            await peer.SendPacketAsync(SshMessageBuilder.Build(SshMessageNumber.Disconnect, w =>
            {
                w.WriteUInt32((uint)DisconnectReason.TooManyConnections);
                w.WriteString("busy");
                w.WriteString("");
            }));
        });
        var closed = Assert.IsType<SshConnectionClosedException>(ex);
        Assert.Equal(DisconnectReason.TooManyConnections, closed.Reason);
        Assert.Contains("busy", closed.Message);
    }
}
