using CsCheck;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>Property tests: arbitrary bytes never make the parsers or the server fail other than with a protocol error.</summary>
public class TransportFuzzTests
{
    [Fact]
    public void KexInit_parser_accepts_or_refuses_cleanly()
    {
        Gen.Byte.Array[0, 400].Sample(bytes =>
        {
            var payload = new byte[bytes.Length + 1];
            payload[0] = SshMessageNumber.KexInit;
            bytes.CopyTo(payload, 1);
            try
            {
                var message = KexInitMessage.Parse(payload);
                Assert.NotNull(message.Kex);
            }
            catch (SshProtocolException)
            {
            }
        }, iter: 5000);
    }

    [Fact]
    public void KexInit_round_trips()
    {
        var names = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-@."], 1, 20].Array[0, 5];
        Gen.Select(names, names, Gen.Bool).Sample((kex, hostKeys, follows) =>
        {
            var built = new KexInitMessage
            {
                Kex = kex, HostKey = hostKeys, CiphersCtoS = kex, CiphersStoC = hostKeys,
                MacsCtoS = kex, MacsStoC = hostKeys, CompressionCtoS = ["none"], CompressionStoC = ["none"],
                FirstKexPacketFollows = follows,
            }.Build();
            var parsed = KexInitMessage.Parse(built);
            Assert.Equal(kex, parsed.Kex);
            Assert.Equal(hostKeys, parsed.HostKey);
            Assert.Equal(hostKeys, parsed.CiphersStoC);
            Assert.Equal(follows, parsed.FirstKexPacketFollows);
        }, iter: 500);
    }

    [Fact]
    public async Task Well_framed_random_packets_during_kex_end_in_a_protocol_error_or_close()
    {
        var random = new Random(20231218);
        for (var i = 0; i < 60; i++)
        {
            using var sockets = await SocketPair.CreateAsync();
            var accept = SshTransport.AcceptAsync(sockets.Server.GetStream(), TransportFactory.ServerOptions(), null);
            var peer = new RawSshPeer(sockets.Client.GetStream());
            await peer.ReadLineAsync();
            await peer.SendLineAsync("SSH-2.0-Fuzz");
            if (i % 2 == 0) await peer.SendPacketAsync(RawSshPeer.ClientKexInit());
            for (var p = 0; p < 3; p++)
            {
                var payload = new byte[random.Next(1, 600)];
                random.NextBytes(payload);
                // Mostly transport and kex numbers, where the parsing is.
                if (random.Next(4) != 0) payload[0] = (byte)random.Next(1, 50);
                await peer.SendPacketAsync(payload);
            }
            sockets.Client.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            var finished = await Task.WhenAny(accept, Task.Delay(TimeSpan.FromSeconds(10)));
            Assert.True(finished == accept, $"iteration {i}: server did not end within 10 s");
            var ex = await Record.ExceptionAsync(() => accept);
            Assert.True(ex is SshProtocolException or SshConnectionClosedException, $"iteration {i}: {ex}");
        }
    }
}
