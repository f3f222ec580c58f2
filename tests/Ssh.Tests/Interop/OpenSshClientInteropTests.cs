using System.Security.Cryptography;
using Gateway.Ssh.Tests.Transport;
using Gateway.Ssh.Transport;
using Gateway.Testing;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>
/// The real OpenSSH client against our server. On the full server, for every key exchange ×
/// cipher (× MAC) × host key algorithm × user key type: each connection runs <c>cat</c> over exec
/// with random input and must get the same bytes back. On the transport alone (authentication
/// refused), for default and forced algorithms: key exchange, strict KEX, ext-info and the service
/// request as ssh's own log reports them, and a server-initiated rekey ssh accepts.
/// </summary>
public class OpenSshClientInteropTests(InteropFixture fixture) : IClassFixture<InteropFixture>
{
    /// <summary>User key file and the signature algorithm the client must use with it.</summary>
    public static readonly (string Key, string Algorithm)[] UserKeys =
    [
        ("id_ed25519", "ssh-ed25519"),
        ("id_ecdsa256", "ecdsa-sha2-nistp256"),
        ("id_ecdsa384", "ecdsa-sha2-nistp384"),
        ("id_ecdsa521", "ecdsa-sha2-nistp521"),
        ("id_rsa", "rsa-sha2-512"),
        ("id_rsa", "rsa-sha2-256"),
    ];

    public static TheoryData<string, string, string> KexAndCipher()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var kex in AlgorithmMatrix.KexOfLocalOpenSsh)
            foreach (var (cipher, mac) in AlgorithmMatrix.CipherSuites)
                data.Add(kex, cipher, mac ?? "");
        return data;
    }

    [Theory]
    [MemberData(nameof(KexAndCipher))]
    public async Task Every_host_key_and_user_key_type_runs_exec_byte_for_byte(string kex, string cipher, string mac)
    {
        var cases = from hostKey in AlgorithmMatrix.HostKeys from user in UserKeys select (hostKey, user);
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, _) =>
        {
            var input = RandomNumberGenerator.GetBytes(48 * 1024 + 13);
            var client = fixture.Client(c.user.Key);
            var options = new List<string>
            {
                $"KexAlgorithms={kex}", $"Ciphers={cipher}", $"HostKeyAlgorithms={c.hostKey}",
                $"PubkeyAcceptedAlgorithms={c.user.Algorithm}",
            };
            if (mac.Length > 0) options.Add($"MACs={mac}");
            var result = await ExternalProcess.RunAsync("ssh", Arguments(client, options, "cat"), TimeSpan.FromSeconds(60), input);
            var label = $"{kex} {cipher} {mac} {c.hostKey} {c.user.Algorithm}";
            Assert.True(result.ExitCode == 0, $"{label}: exit {result.ExitCode}\n{result.Stderr}");
            Assert.True(input.AsSpan().SequenceEqual(result.StdoutBytes), $"{label}: output differs ({result.StdoutBytes.Length} of {input.Length} bytes)");
        });
    }

    private static List<string> Arguments(OpenSshClient client, IEnumerable<string> options, string command)
    {
        var args = client.Arguments(options);
        args.Add(command);
        return args;
    }

    public static IEnumerable<object?[]> Matrix() =>
        from kex in AlgorithmMatrix.KexOfLocalOpenSsh from hostKey in AlgorithmMatrix.HostKeys from suite in AlgorithmMatrix.CipherSuites
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

        var result = await ExternalProcess.RunAsync("ssh", args, TimeSpan.FromSeconds(30));
        var log = result.Stderr;
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
