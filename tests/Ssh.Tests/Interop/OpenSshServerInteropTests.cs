using System.Net;
using System.Net.Sockets;
using Gateway.Ssh.Client;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Tests.Transport;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;
using Gateway.Testing;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>
/// Our client against the real OpenSSH sshd: the transport alone for every cipher, key exchange and
/// host key algorithm (with rekeys after a hand-made publickey login), and the client on top of it
/// (host key pinned, key and CA certificate logins, commands, direct-tcpip).
/// </summary>
public sealed class OpenSshServerInteropTests(OpenSshServerFixture sshd) : IClassFixture<OpenSshServerFixture>
{
    public static IEnumerable<object?[]> CipherSuites() =>
        AlgorithmMatrix.CipherSuites.Select(s => new object?[] { s.Cipher, s.Mac });

    public static IEnumerable<object?[]> KexAndHostKeys() =>
        from kex in AlgorithmMatrix.KexOfLocalOpenSsh from hostKey in AlgorithmMatrix.HostKeys
        select new object?[] { kex, hostKey };

    private SshClientOptions Options(SshPrivateKey key, string? cipher = null)
    {
        var algorithms = new SshAlgorithmPreferences();
        if (cipher is not null) algorithms.Ciphers = [cipher];
        return new SshClientOptions
        {
            Username = OpenSshServerFixture.UserName,
            Keys = [key],
            KnownHostKeys = [.. sshd.HostKeys.Values],
            Algorithms = algorithms,
        };
    }

    [Theory]
    [InlineData("chacha20-poly1305@openssh.com")]
    [InlineData("aes256-gcm@openssh.com")]
    [InlineData("aes128-gcm@openssh.com")]
    [InlineData("aes256-ctr")]
    public async Task Key_login_runs_commands(string cipher)
    {
        await using var client = await SshClient.ConnectAsync("127.0.0.1", sshd.Port, Options(sshd.UserKey, cipher));
        var result = await client.RunAsync("echo hello; echo oops >&2; exit 3");
        Assert.Equal("hello\n", System.Text.Encoding.UTF8.GetString(result.Output));
        Assert.Equal("oops\n", result.Error);
        Assert.Equal(3u, result.ExitStatus);

        var data = System.Security.Cryptography.RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var sum = await client.RunAsync("sha256sum", data);
        Assert.StartsWith(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)), System.Text.Encoding.ASCII.GetString(sum.Output));
    }

    [Fact]
    public async Task Certificate_login_is_accepted()
    {
        var keyPath = sshd.Directory.WritePrivate("cert_user", SshKeys.ExportPrivateKey(SshKeys.Generate(SshKeyKind.Ed25519)));
        var key = SshKeys.LoadPrivateKey(await File.ReadAllTextAsync(keyPath));
        await File.WriteAllTextAsync(keyPath + ".pub", SshKeys.FormatAuthorizedKey(key.PublicKey) + "\n");
        var certPath = await OpenSshKeys.CertifyAsync(sshd.CaPath, keyPath + ".pub", "our-client", Environment.UserName);
        var certificate = (SshCertificate)SshKeys.ParseAuthorizedKey(await File.ReadAllTextAsync(certPath));

        await using var client = await SshClient.ConnectAsync("127.0.0.1", sshd.Port, Options(new SshCertifiedPrivateKey(key, certificate)));
        var result = await client.RunAsync("echo certified");
        Assert.Equal("certified\n", System.Text.Encoding.UTF8.GetString(result.Output));
        Assert.Contains("Accepted publickey", sshd.Log);
        Assert.Contains("ID our-client", sshd.Log);
    }

    [Fact]
    public async Task Unknown_host_key_is_refused()
    {
        var wrong = new SshClientOptions { Username = "root", Keys = [sshd.UserKey], KnownHostKeys = [SshKeys.Generate(SshKeyKind.Ed25519).PublicKey] };
        await Assert.ThrowsAnyAsync<Exception>(() => SshClient.ConnectAsync("127.0.0.1", sshd.Port, wrong));
    }

    [Fact]
    public async Task Direct_tcpip_reaches_a_service_behind_sshd()
    {
        await using var echo = new LoopbackEchoServer();
        await using var client = await SshClient.ConnectAsync("127.0.0.1", sshd.Port, Options(sshd.UserKey));
        await using var channel = await client.Connection.OpenDirectTcpIpAsync("127.0.0.1", (uint)echo.Port, "127.0.0.1", 40000);
        var payload = System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024 * 1024);
        var reading = Task.Run(async () => { var b = new byte[payload.Length]; await channel.Stream.ReadExactlyAsync(b); return b; });
        await channel.Stream.WriteAsync(payload);
        Assert.Equal(payload, await reading.WaitAsync(TimeSpan.FromSeconds(30)));
    }

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
        var (transport, socket) = await OpenAsync(TransportFactory.ClientOptions(verifier: k => sshd.HostKeys.Values.Contains(k)));
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
            w.WriteString(OpenSshServerFixture.UserName);
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
                w.WriteString(OpenSshServerFixture.UserName);
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
