using System.Net;
using System.Net.Sockets;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>Our client transport against the real OpenSSH sshd.</summary>
public class OpenSshServerInteropTests(SshdFixture sshd) : IClassFixture<SshdFixture>
{
    public static IEnumerable<object?[]> CipherSuites() =>
        OpenSshClientInteropTests.CipherSuites.Select(s => new object?[] { s.Cipher, s.Mac });

    public static IEnumerable<object?[]> KexAndHostKeys() =>
        from kex in OpenSshClientInteropTests.Kex from hostKey in OpenSshClientInteropTests.HostKeys
        select new object?[] { kex, hostKey };

    [Theory]
    [MemberData(nameof(CipherSuites))]
    public async Task Each_cipher_handshakes_verifies_host_key_and_gets_ssh_userauth(string cipher, string? mac)
    {
        await ConnectAsync("curve25519-sha256", cipher, mac, "ssh-ed25519", rekey: true);
    }

    [Theory]
    [MemberData(nameof(KexAndHostKeys))]
    public async Task Each_kex_and_host_key_algorithm_works(string kex, string hostKey)
    {
        await ConnectAsync(kex, "aes128-gcm@openssh.com", null, hostKey, rekey: false);
    }

    [Fact]
    public async Task Default_settings_negotiate_chacha_and_curve25519()
    {
        var (transport, socket) = await OpenAsync(TransportFactory.ClientOptions(verifier: k => sshd.HostKeys.ContainsValue(k)));
        using var _ = socket;
        await using var t = transport;
        Assert.Equal("curve25519-sha256", transport.NegotiatedAlgorithms!.Kex);
        Assert.Equal("ssh-ed25519", transport.NegotiatedAlgorithms.HostKey);
        Assert.Equal("chacha20-poly1305@openssh.com", transport.NegotiatedAlgorithms.CipherCtoS);
        Assert.StartsWith("SSH-2.0-OpenSSH_", transport.RemoteVersion);
    }

    [Fact]
    public async Task Rejected_host_key_ends_with_host_key_not_verifiable()
    {
        var sockets = new TcpClient();
        await sockets.ConnectAsync(IPAddress.Loopback, sshd.Port);
        using var _ = sockets;
        var ex = await Assert.ThrowsAsync<SshProtocolException>(() =>
            SshTransport.ConnectAsync(sockets.GetStream(), TransportFactory.ClientOptions(verifier: _ => false), null));
        Assert.Equal(DisconnectReason.HostKeyNotVerifiable, ex.Reason);
    }

    private async Task<(SshTransport, TcpClient)> OpenAsync(SshTransportOptions options)
    {
        var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, sshd.Port);
        try
        {
            var transport = await SshTransport.ConnectAsync(socket.GetStream(), options, socket.Client.RemoteEndPoint);
            return (transport, socket);
        }
        catch (Exception ex)
        {
            socket.Dispose();
            throw new Xunit.Sdk.XunitException($"handshake with sshd failed: {ex}\nsshd log:\n{sshd.Log}");
        }
    }

    private static byte[] UserAuthRequest(string method, Action<SshWriter> rest) =>
        SshMessageBuilder.Build(SshMessageNumber.UserAuthRequest, w =>
        {
            w.WriteString(SshdFixture.UserName);
            w.WriteString("ssh-connection");
            w.WriteString(method);
            rest(w);
        });

    /// <summary>Skips sshd's own global requests (hostkeys-00@openssh.com after login).</summary>
    private static async Task<byte[]> NextNonGlobalAsync(CollectingHandler handler)
    {
        for (var i = 0; i < 10; i++)
        {
            var message = await handler.NextAsync(TimeSpan.FromSeconds(15));
            if (message[0] != SshMessageNumber.GlobalRequest) return message;
        }
        throw new Xunit.Sdk.XunitException("only global requests arrived");
    }

    private async Task ConnectAsync(string kex, string cipher, string? mac, string hostKey, bool rekey)
    {
        var expectedKey = hostKey switch
        {
            "ssh-ed25519" => sshd.HostKeys["ed25519"],
            "ecdsa-sha2-nistp256" => sshd.HostKeys["ecdsa"],
            _ => sshd.HostKeys["rsa"],
        };
        var options = TransportFactory.ClientOptions(a =>
        {
            a.KeyExchange = [kex];
            a.Ciphers = [cipher];
            if (mac is not null) a.Macs = [mac];
            a.HostKey = [hostKey];
        }, verifier: key => key.Equals(expectedKey));
        var (transport, socket) = await OpenAsync(options);
        using var _ = socket;
        await using var t = transport;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        transport.Log += log.Enqueue;

        Assert.True(transport.IsStrictKex);
        Assert.Equal(new NegotiatedAlgorithms(kex, hostKey, cipher, cipher, mac, mac), transport.NegotiatedAlgorithms);
        Assert.Equal(expectedKey, transport.ServerHostKey);

        var handler = new CollectingHandler();
        transport.Start(handler);
        await transport.RequestServiceAsync("ssh-userauth").WaitAsync(TimeSpan.FromSeconds(15));
        Assert.NotNull(transport.ServerSignatureAlgorithms);
        Assert.Contains("ssh-ed25519", transport.ServerSignatureAlgorithms!);

        // A "none" USERAUTH_REQUEST is answered with USERAUTH_FAILURE.
        await transport.SendAsync(UserAuthRequest("none", _ => { }));
        var reply = await handler.NextAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(SshMessageNumber.UserAuthFailure, reply[0]);

        if (rekey)
        {
            // sshd refuses KEXINIT before authentication (as OpenSSH never rekeys before it), so
            // log in with a public key first; the signature also proves SessionId is right.
            var key = sshd.UserKey;
            var algorithm = key.SignatureAlgorithms[0];
            var signed = SshMessageBuilder.Build(w =>
            {
                w.WriteBinary(transport.SessionId.Span);
                w.WriteByte(SshMessageNumber.UserAuthRequest);
                w.WriteString(SshdFixture.UserName);
                w.WriteString("ssh-connection");
                w.WriteString("publickey");
                w.WriteBoolean(true);
                w.WriteString(algorithm);
                w.WriteBinary(key.PublicKey.Blob.Span);
            });
            var signature = key.Sign(algorithm, signed);
            await transport.SendAsync(UserAuthRequest("publickey", w =>
            {
                w.WriteBoolean(true);
                w.WriteString(algorithm);
                w.WriteBinary(key.PublicKey.Blob.Span);
                w.WriteBinary(signature);
            }));
            reply = await NextNonGlobalAsync(handler);
            Assert.True(reply[0] == SshMessageNumber.UserAuthSuccess, $"publickey auth failed ({reply[0]}); sshd log:\n{sshd.Log}");

            for (var round = 2; round <= 3; round++)
            {
                try
                {
                    await transport.RekeyAsync().WaitAsync(TimeSpan.FromSeconds(15));
                }
                catch (Exception ex)
                {
                    throw new Xunit.Sdk.XunitException($"rekey failed: {ex.Message}\ntransport log:\n{string.Join('\n', log)}\nsshd log:\n{sshd.Log}");
                }
                Assert.Equal(round, transport.KeyExchangeCount);
                // The connection still works under the new keys: an unknown global request is refused.
                await transport.SendAsync(SshMessageBuilder.Build(SshMessageNumber.GlobalRequest, w =>
                {
                    w.WriteString("nonexistent@gateway.test");
                    w.WriteBoolean(true);
                }));
                reply = await NextNonGlobalAsync(handler);
                Assert.Equal(SshMessageNumber.RequestFailure, reply[0]);
            }
        }

        await transport.DisconnectAsync(DisconnectReason.ByApplication, "done");
        Assert.Null(await TransportFactory.EndAsync(transport.Completion));
    }
}
