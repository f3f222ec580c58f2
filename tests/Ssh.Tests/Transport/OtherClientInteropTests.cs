using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>Independent client implementations (SSH.NET, paramiko) complete key exchange with our server.</summary>
public class OtherClientInteropTests
{
    [Theory]
    [InlineData("curve25519-sha256", "aes256-gcm@openssh.com")]
    [InlineData("curve25519-sha256", "aes128-ctr")]
    [InlineData("ecdh-sha2-nistp256", "chacha20-poly1305@openssh.com")]
    [InlineData("mlkem768x25519-sha256", "aes128-gcm@openssh.com")]
    public async Task SshNet_client_completes_kex_and_reaches_authentication(string kex, string cipher)
    {
        var options = InProcessMatrixTests.Server();
        await using var server = new TestTransportServer(options);
        var info = new Renci.SshNet.ConnectionInfo("127.0.0.1", server.Port, "test",
            new Renci.SshNet.PrivateKeyAuthenticationMethod("test", new Renci.SshNet.PrivateKeyFile(ClientKeyFile())))
        {
            Timeout = TimeSpan.FromSeconds(15),
        };
        // Force the algorithms by leaving only the one under test in SSH.NET's tables.
        var keyExchange = info.KeyExchangeAlgorithms[kex];
        info.KeyExchangeAlgorithms.Clear();
        info.KeyExchangeAlgorithms.Add(kex, keyExchange);
        var encryption = info.Encryptions[cipher];
        info.Encryptions.Clear();
        info.Encryptions.Add(cipher, encryption);
        using var client = new Renci.SshNet.SshClient(info);
        var ex = await Assert.ThrowsAsync<Renci.SshNet.Common.SshAuthenticationException>(() => client.ConnectAsync(CancellationToken.None));
        Assert.Contains("publickey", ex.Message, StringComparison.OrdinalIgnoreCase);
        var transport = Assert.Single(server.Transports);
        Assert.Equal(kex, transport.NegotiatedAlgorithms!.Kex);
        Assert.Equal(cipher, transport.NegotiatedAlgorithms.CipherCtoS);
    }

    [Fact]
    public async Task Paramiko_client_completes_kex_and_reaches_authentication()
    {
        var options = InProcessMatrixTests.Server();
        await using var server = new TestTransportServer(options);
        var script = $$"""
            import socket, paramiko
            sock = socket.create_connection(("127.0.0.1", {{server.Port}}), timeout=15)
            t = paramiko.Transport(sock)
            t.start_client(timeout=15)
            print("cipher", t.remote_cipher)
            print("hostkey", t.get_remote_server_key().get_name())
            t.renegotiate_keys()
            print("rekeyed")
            try:
                t.auth_none("test")
            except paramiko.BadAuthenticationType as e:
                print("allowed", ",".join(e.allowed_types))
            t.close()
            """;
        var result = await OpenSshProcess.RunAsync("/usr/bin/python3", ["-c", script], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("allowed publickey", result.StdOut);
        Assert.Contains("hostkey ssh-ed25519", result.StdOut);
        Assert.Contains("rekeyed", result.StdOut);
        var transport = Assert.Single(server.Transports);
        Assert.Equal(2, transport.KeyExchangeCount);
    }

    private static string ClientKeyFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "gw-sshnet-key-" + Environment.ProcessId);
        if (!File.Exists(path))
        {
            using var key = Gateway.Ssh.Keys.SshKeys.Generate(Gateway.Ssh.Keys.SshKeyKind.Ed25519);
            File.WriteAllText(path, Gateway.Ssh.Keys.SshKeys.ExportPrivateKey(key));
        }
        return path;
    }
}
