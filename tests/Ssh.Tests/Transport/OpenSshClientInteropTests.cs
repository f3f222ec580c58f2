using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>The real OpenSSH client against our server transport, for every algorithm combination it can force.</summary>
public class OpenSshClientInteropTests
{
    // OpenSSH 9.2 (installed here) predates mlkem768x25519-sha256; that one is covered in-process.
    public static readonly string[] Kex = ["curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256"];
    public static readonly string[] HostKeys = ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"];
    public static readonly (string Cipher, string? Mac)[] CipherSuites =
    [
        ("chacha20-poly1305@openssh.com", null),
        ("aes256-gcm@openssh.com", null),
        ("aes128-gcm@openssh.com", null),
        ("aes256-ctr", "hmac-sha2-256-etm@openssh.com"),
        ("aes256-ctr", "hmac-sha2-512-etm@openssh.com"),
        ("aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
        ("aes128-ctr", "hmac-sha2-512-etm@openssh.com"),
    ];

    public static IEnumerable<object?[]> Matrix() =>
        from kex in Kex from hostKey in HostKeys from suite in CipherSuites
        select new object?[] { kex, suite.Cipher, suite.Mac, hostKey };

    [Fact]
    public async Task Default_client_settings_complete_kex_and_service_request()
    {
        await RunSshAsync(null, null, null, null);
    }

    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(Matrix))]
    public async Task Forced_algorithms_complete_kex_and_service_request(string kex, string cipher, string? mac, string hostKey)
    {
        await RunSshAsync(kex, cipher, mac, hostKey);
    }

    [Theory]
    [InlineData("chacha20-poly1305@openssh.com", null)]
    [InlineData("aes256-gcm@openssh.com", null)]
    [InlineData("aes128-ctr", "hmac-sha2-512-etm@openssh.com")]
    public async Task Server_initiated_rekey_is_accepted_by_ssh(string cipher, string? mac)
    {
        var log = await RunSshAsync("curve25519-sha256", cipher, mac, "ssh-ed25519", rekey: true);
        Assert.Equal(2, CountOf(log, "SSH2_MSG_NEWKEYS received"));
        Assert.Equal(2, CountOf(log, "SSH2_MSG_KEXINIT received"));
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }

    internal static async Task<string> RunSshAsync(string? kex, string? cipher, string? mac, string? hostKey, bool rekey = false)
    {
        var options = TransportFactory.ServerOptions(a => a.KeyExchange = [.. a.KeyExchange, "ecdh-sha2-nistp256"]);
        await using var server = new TestTransportServer(options, rekey);
        var args = new List<string>
        {
            "-vvv", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (kex is not null) args.AddRange(["-o", "KexAlgorithms=" + kex]);
        if (cipher is not null) args.AddRange(["-o", "Ciphers=" + cipher]);
        if (mac is not null) args.AddRange(["-o", "MACs=" + mac]);
        if (hostKey is not null) args.AddRange(["-o", "HostKeyAlgorithms=" + hostKey]);
        args.AddRange(["test@127.0.0.1", "true"]);

        var result = await OpenSshProcess.RunAsync("ssh", args, TimeSpan.FromSeconds(30));
        var log = result.StdErr;
        Assert.True(result.ExitCode == 255, $"ssh should fail authentication, exit {result.ExitCode}:\n{log}");
        Assert.Contains("Remote protocol version 2.0, remote software version Gateway_1.0", log);
        Assert.Contains($"kex: algorithm: {kex ?? "curve25519-sha256"}", log);
        if (hostKey is not null) Assert.Contains($"kex: host key algorithm: {hostKey}", log);
        if (cipher is not null)
        {
            var macText = mac ?? "<implicit>";
            Assert.Contains($"kex: server->client cipher: {cipher} MAC: {macText} compression: none", log);
            Assert.Contains($"kex: client->server cipher: {cipher} MAC: {macText} compression: none", log);
        }
        Assert.Contains("SSH2_MSG_NEWKEYS received", log);
        Assert.Contains("kex_input_ext_info: server-sig-algs=<ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256>", log);
        Assert.Contains("SSH2_MSG_SERVICE_ACCEPT received", log);
        if (rekey)
        {
            Assert.Contains("using \"none\"", log);
            Assert.Contains("open failed: administratively prohibited: refused after rekey", log);
        }
        else
        {
            Assert.Contains("Authentications that can continue: publickey", log);
        }
        Assert.DoesNotContain("ping@openssh.com", log);

        // The server side saw a completed handshake and a clean end when ssh gave up.
        Assert.Empty(server.HandshakeFailures);
        var transport = Assert.Single(server.Transports);
        Assert.True(transport.IsStrictKex);
        var outcome = await TransportFactory.EndAsync(transport.Completion);
        Assert.True(outcome is SshConnectionClosedException, "expected the client's disconnect, got " + outcome);
        Assert.Equal(rekey, transport.IsAuthenticated);
        if (kex is not null) Assert.Equal(kex, transport.NegotiatedAlgorithms!.Kex);
        if (hostKey is not null) Assert.Equal(hostKey, transport.NegotiatedAlgorithms!.HostKey);
        if (cipher is not null) Assert.Equal(cipher, transport.NegotiatedAlgorithms!.CipherCtoS);
        Assert.Equal(mac, transport.NegotiatedAlgorithms!.MacStoC);
        Assert.Equal(rekey ? 2 : 1, transport.KeyExchangeCount);
        return log;
    }
}
