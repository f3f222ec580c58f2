using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Tests.Transport;

public class TransportHandshakeTests
{
    [Fact]
    public async Task Curve25519_aes_gcm_ed25519_handshake_and_messages_both_ways()
    {
        var clientOptions = TransportFactory.ClientOptions(a =>
        {
            a.KeyExchange = ["curve25519-sha256"];
            a.Ciphers = ["aes256-gcm@openssh.com"];
            a.HostKey = ["ssh-ed25519"];
        });
        var (client, server, sockets) = await TransportFactory.ConnectPairAsync(clientOptions, TransportFactory.ServerOptions(), requestService: false);
        using var _ = sockets;
        await using var c = client;
        await using var s = server;

        Assert.Equal(new NegotiatedAlgorithms("curve25519-sha256", "ssh-ed25519", "aes256-gcm@openssh.com", "aes256-gcm@openssh.com", null, null), client.NegotiatedAlgorithms);
        Assert.Equal(client.NegotiatedAlgorithms, server.NegotiatedAlgorithms);
        Assert.True(client.IsStrictKex);
        Assert.True(server.IsStrictKex);
        Assert.Equal(client.SessionId.ToArray(), server.SessionId.ToArray());
        Assert.Equal(32, client.SessionId.Length);
        Assert.Equal("SSH-2.0-Gateway_1.0", client.RemoteVersion);
        Assert.Equal(TestHostKeys.Ed25519.PublicKey, client.ServerHostKey);

        var serverHandler = new CollectingHandler();
        var clientHandler = new CollectingHandler();
        server.Start(serverHandler);
        client.Start(clientHandler);
        await client.RequestServiceAsync("ssh-userauth");
        Assert.Equal(SshTransportOptions.DefaultServerSignatureAlgorithms.Split(','), client.ServerSignatureAlgorithms);

        await client.SendAsync(new byte[] { 200, 1, 2, 3 });
        Assert.Equal(new byte[] { 200, 1, 2, 3 }, await serverHandler.NextAsync());
        server.Post(new byte[] { 201, 9 });
        Assert.Equal(new byte[] { 201, 9 }, await clientHandler.NextAsync());

        await client.DisconnectAsync(DisconnectReason.ByApplication, "bye");
        Assert.Null(await TransportFactory.EndAsync(client.Completion));
        var serverEnd = await TransportFactory.EndAsync(server.Completion);
        var closed = Assert.IsType<SshConnectionClosedException>(serverEnd);
        Assert.Equal(DisconnectReason.ByApplication, closed.Reason);
        Assert.Contains("bye", closed.Message);
    }
}
