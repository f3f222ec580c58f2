using Gateway.Testing;
using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>ssh-audit against a server on default settings finds no algorithm at "fail" level.</summary>
public class SshAuditTests
{
    [Fact]
    public async Task Default_algorithms_have_no_failures()
    {
        // The node's defaults: algorithm lists as shipped, and the host keys it generates when none are configured.
        var hostKeys = new[] { Gateway.Ssh.Keys.SshKeys.Generate(Gateway.Ssh.Keys.SshKeyKind.Ed25519), Gateway.Ssh.Keys.SshKeys.Generate(Gateway.Ssh.Keys.SshKeyKind.Rsa, 3072) };
        await using var server = TestSshServer.Start(authorizedKeys: [], hostKeys: hostKeys, algorithms: new SshAlgorithmPreferences());
        var result = await ExternalProcess.RunAsync("ssh-audit", ["-n", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "127.0.0.1"], TimeSpan.FromSeconds(90));
        Assert.Contains("(gen) banner: SSH-2.0-Gateway", result.Stdout);
        Assert.Contains("curve25519-sha256", result.Stdout);
        var failures = result.Stdout.Split('\n').Where(l => l.Contains("[fail]", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 0, "ssh-audit failures:\n" + string.Join('\n', failures) + "\n\n" + result.Stdout);
    }

    [Fact]
    public async Task Enabling_nist_ecdh_is_reported_by_the_audit()
    {
        await using var server = TestSshServer.Start(authorizedKeys: [], algorithms: TestSshServer.AllAlgorithms());
        var result = await ExternalProcess.RunAsync("ssh-audit", ["-n", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "127.0.0.1"], TimeSpan.FromSeconds(90));
        Assert.Contains("ecdh-sha2-nistp256", result.Stdout);
    }
}
