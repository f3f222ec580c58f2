using Gateway.Ssh.Keys;
using Gateway.Testing;
using Gateway.Ssh.Tests.Transport;
using Renci.SshNet;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>
/// Independent SSH implementations against our server: SSH.NET, Paramiko and PuTTY's plink run
/// commands on the full server; SSH.NET and Paramiko also complete key exchange (forced
/// algorithms, a client-initiated rekey) with the transport alone.
/// </summary>
public class OtherClientInteropTests(InteropFixture fixture) : IClassFixture<InteropFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("id_ed25519")]
    [InlineData("id_ecdsa256")]
    [InlineData("id_rsa")]
    public void SshNet_runs_a_command_and_sees_our_host_key(string keyName)
    {
        using var key = new PrivateKeyFile(fixture.KeyFiles[keyName]);
        var connection = new ConnectionInfo("127.0.0.1", fixture.Server.Port, "alice", new PrivateKeyAuthenticationMethod("alice", key)) { Timeout = Timeout };
        using var client = new SshClient(connection);
        string? seenFingerprint = null;
        client.HostKeyReceived += (_, e) =>
        {
            seenFingerprint = "SHA256:" + e.FingerPrintSHA256;
            e.CanTrust = true;
        };
        client.Connect();
        using var command = client.RunCommand("echo from-ssh.net");
        Assert.Equal("from-ssh.net\n", command.Result);
        Assert.Equal(0, command.ExitStatus);
        Assert.Contains(seenFingerprint, fixture.Server.HostKeys.Select(k => SshKeys.Fingerprint(k.PublicKey)));
    }

    [Fact]
    public void SshNet_streams_a_megabyte_through_exec()
    {
        using var key = new PrivateKeyFile(fixture.KeyFiles["id_ed25519"]);
        using var client = new SshClient(new ConnectionInfo("127.0.0.1", fixture.Server.Port, "alice", new PrivateKeyAuthenticationMethod("alice", key)) { Timeout = Timeout });
        client.HostKeyReceived += (_, e) => e.CanTrust = true;
        client.Connect();
        using var command = client.CreateCommand("generate 1048576");
        var output = new MemoryStream();
        var result = command.BeginExecute();
        command.OutputStream.CopyTo(output);
        command.EndExecute(result);
        Assert.Equal(TestSshServer.Pattern(256 * 1024).Concat(TestSshServer.Pattern(256 * 1024)).Concat(TestSshServer.Pattern(256 * 1024)).Concat(TestSshServer.Pattern(256 * 1024)).ToArray(), output.ToArray());
    }

    [Fact]
    public async Task Paramiko_runs_a_command()
    {
        var script = fixture.Directory.WritePrivate("paramiko_client.py", """
            import sys, paramiko
            client = paramiko.SSHClient()
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
            client.connect("127.0.0.1", port=int(sys.argv[1]), username="alice", key_filename=sys.argv[2],
                           look_for_keys=False, allow_agent=False, timeout=30)
            transport = client.get_transport()
            stdin, stdout, stderr = client.exec_command("echo from-paramiko")
            out = stdout.read().decode()
            status = stdout.channel.recv_exit_status()
            sys.stdout.write(out)
            sys.stderr.write("cipher=%s kex=%s\n" % (transport.remote_cipher, transport.kex_engine.__class__.__name__))
            client.close()
            sys.exit(status)
            """);
        var result = await ExternalProcess.RunAsync("/usr/bin/python3", [script, fixture.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), fixture.KeyFiles["id_ed25519"]], Timeout);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("from-paramiko\n", result.Stdout);
    }

    [Fact]
    public async Task Plink_runs_a_command()
    {
        var ppk = fixture.Directory.File("id_ed25519.ppk");
        var convert = await ExternalProcess.RunAsync("puttygen", [fixture.KeyFiles["id_ed25519"], "-O", "private", "-o", ppk], Timeout);
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        var hostKey = SshKeys.Fingerprint(fixture.Server.HostKeys[0].PublicKey);
        var result = await ExternalProcess.RunAsync("plink", ["-batch", "-ssh", "-P", fixture.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-i", ppk, "-hostkey", hostKey, "alice@127.0.0.1", "echo from-plink"], Timeout);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("from-plink\n", result.Stdout);
    }

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
            new Renci.SshNet.PrivateKeyAuthenticationMethod("test", new Renci.SshNet.PrivateKeyFile(ExportedKeyFile())))
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
        var result = await ExternalProcess.RunAsync("/usr/bin/python3", ["-c", script], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("allowed publickey", result.Stdout);
        Assert.Contains("hostkey ssh-ed25519", result.Stdout);
        Assert.Contains("rekeyed", result.Stdout);
        var transport = Assert.Single(server.Transports);
        Assert.Equal(2, transport.KeyExchangeCount);
    }

    /// <summary>A key written by our own exporter, so SSH.NET also reads the library's private key format.</summary>
    private string ExportedKeyFile()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        return fixture.Directory.WritePrivate($"exported_{Guid.NewGuid():N}", SshKeys.ExportPrivateKey(key));
    }
}
