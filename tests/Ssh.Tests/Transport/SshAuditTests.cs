using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>ssh-audit (an independent scanner) against our server transport on default settings.</summary>
public class SshAuditTests
{
    [Fact]
    public async Task Default_settings_have_no_failing_algorithm_and_are_not_terrapin_vulnerable()
    {
        var options = new SshTransportOptions { HostKeys = [TestHostKeys.Ed25519, TestHostKeys.Rsa] };
        await using var server = new TestTransportServer(options);
        var result = await OpenSshProcess.RunAsync("ssh-audit",
            ["-n", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "127.0.0.1"], TimeSpan.FromSeconds(60));
        var output = result.StdOut + result.StdErr;
        Assert.Contains("Gateway_1.0", output);
        Assert.Contains("kex-strict-s-v00@openssh.com", output);
        Assert.Contains("curve25519-sha256", output);
        Assert.DoesNotContain("[fail]", output);
        Assert.DoesNotContain("-- [fail]", output);
        Assert.DoesNotContain("vulnerable to the Terrapin attack", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(server.HandshakeFailures, e => e is not SshConnectionClosedException and not SshProtocolException);
    }
}
