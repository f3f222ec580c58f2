using System.Security.Cryptography;
using Gateway.Testing;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>
/// The real OpenSSH client against our server for every key exchange × cipher (× MAC) × host key
/// algorithm × user key type the library offers: each connection runs <c>cat</c> over exec with
/// random input and must get the same bytes back.
/// </summary>
public class OpenSshClientMatrixTests(InteropFixture fixture) : IClassFixture<InteropFixture>
{
    public static readonly string[] KexAlgorithms = ["mlkem768x25519-sha256", "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256"];
    public static readonly string[] HostKeyAlgorithms = ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"];

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

    /// <summary>
    /// Key exchanges this machine's ssh knows (`ssh -Q kex`): Debian 12's OpenSSH 9.2 predates
    /// mlkem768x25519-sha256 (OpenSSH 9.9), which is therefore checked by our own client in the
    /// transport tests instead.
    /// </summary>
    private static IEnumerable<string> KexAlgorithmsOfLocalClient()
    {
        var known = ExternalProcess.RunAsync("ssh", ["-Q", "kex"], TimeSpan.FromSeconds(30)).GetAwaiter().GetResult().Stdout.Split('\n');
        return KexAlgorithms.Where(known.Contains);
    }

    public static TheoryData<string, string, string> KexAndCipher()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var kex in KexAlgorithmsOfLocalClient())
        {
            foreach (var cipher in new[] { "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com" })
                data.Add(kex, cipher, "");
            foreach (var cipher in new[] { "aes256-ctr", "aes128-ctr" })
                foreach (var mac in new[] { "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com" })
                    data.Add(kex, cipher, mac);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(KexAndCipher))]
    public async Task Every_host_key_and_user_key_type_runs_exec_byte_for_byte(string kex, string cipher, string mac)
    {
        var cases = from hostKey in HostKeyAlgorithms from user in UserKeys select (hostKey, user);
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
}
