using Gateway.Ssh.Keys;
using Gateway.Ssh.Tests.Transport;
using Gateway.Ssh.Transport;
using Gateway.Testing;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>ssh-audit (an independent scanner) against our server.</summary>
public class SshAuditTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static Task<ProcessResult> AuditAsync(int port)
        => ExternalProcess.RunAsync("ssh-audit", ["-n", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "127.0.0.1"], Timeout);

    [Fact]
    public async Task Default_settings_have_no_failing_algorithm_and_are_not_terrapin_vulnerable()
    {
        // The node's defaults: algorithm lists as shipped, and the host keys it generates when none are configured.
        using var ed25519 = SshKeys.Generate(SshKeyKind.Ed25519);
        using var rsa = SshKeys.Generate(SshKeyKind.Rsa, 3072);
        await using var server = new TestTransportServer(new SshTransportOptions { HostKeys = [ed25519, rsa] });
        var result = await AuditAsync(server.Port);
        var output = result.Stdout + result.Stderr;
        Assert.Contains("(gen) banner: SSH-2.0-Gateway", output);
        Assert.Contains("Gateway_1.0", output);
        Assert.Contains("kex-strict-s-v00@openssh.com", output);
        Assert.Contains("curve25519-sha256", output);
        var failures = output.Split('\n').Where(l => l.Contains("[fail]", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 0, "ssh-audit failures:\n" + string.Join('\n', failures) + "\n\n" + output);
        Assert.DoesNotContain("vulnerable to the Terrapin attack", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(server.HandshakeFailures, e => e is not SshConnectionClosedException and not SshProtocolException);
    }

    [Fact]
    public async Task Enabling_nist_ecdh_is_reported_by_the_audit()
    {
        await using var server = TestSshServer.Start(authorizedKeys: [], algorithms: TestSshServer.AllAlgorithms());
        var result = await AuditAsync(server.Port);
        Assert.Contains("ecdh-sha2-nistp256", result.Stdout);
    }
}
