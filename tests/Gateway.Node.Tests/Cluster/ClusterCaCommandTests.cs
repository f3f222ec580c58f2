using Gateway.Testing;

namespace Gateway.Node.Tests.Cluster;

/// <summary><c>Gateway.Node cluster-ca</c> as an operator runs it, checked with openssl.</summary>
public sealed class ClusterCaCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Init_creates_a_ca_with_a_private_key_and_refuses_to_replace_it()
    {
        var ca = await ClusterCaFiles.InitAsync(_dir, "ca");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(ca.Directory, "ca.key")));
        var text = await ExternalProcess.RunAsync("openssl", ["x509", "-in", ca.CaCertificate, "-noout", "-text"], TimeSpan.FromSeconds(30));
        Assert.Contains("CA:TRUE", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("Certificate Sign", text.Stdout, StringComparison.Ordinal);

        var again = await ClusterCaFiles.RunAsync("init", "--dir", ca.Directory);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already holds a cluster CA", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issue_signs_a_node_certificate_for_server_and_client_authentication_with_the_names_given()
    {
        var ca = await ClusterCaFiles.InitAsync(_dir, "ca");
        var node = await ca.IssueAsync("node-a", "--dns", "node-a.internal", "--dns", "node-a", "--ip", "10.1.2.3", "--days", "30");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(node, "node.key")));
        Assert.Equal(await File.ReadAllTextAsync(ca.CaCertificate), await File.ReadAllTextAsync(Path.Combine(node, "ca.crt")));

        var verify = await ExternalProcess.RunAsync("openssl", ["verify", "-CAfile", ca.CaCertificate, "-purpose", "sslclient", Path.Combine(node, "node.crt")], TimeSpan.FromSeconds(30));
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
        verify = await ExternalProcess.RunAsync("openssl", ["verify", "-CAfile", ca.CaCertificate, "-purpose", "sslserver", Path.Combine(node, "node.crt")], TimeSpan.FromSeconds(30));
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
        var text = (await ExternalProcess.RunAsync("openssl", ["x509", "-in", Path.Combine(node, "node.crt"), "-noout", "-text"], TimeSpan.FromSeconds(30))).Stdout;
        Assert.Contains("DNS:node-a.internal, DNS:node-a, IP Address:10.1.2.3", text, StringComparison.Ordinal);
        Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", text, StringComparison.Ordinal);
        Assert.Contains("CN=node-a", text.Replace(" = ", "=", StringComparison.Ordinal), StringComparison.Ordinal);

        var overwrite = await ClusterCaFiles.RunAsync("issue", "--dir", ca.Directory, "--name", "node-a", "--out", node);
        Assert.Equal(1, overwrite.ExitCode);
        Assert.Contains("already holds a node certificate", overwrite.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_and_usage_errors()
    {
        var help = await ClusterCaFiles.RunAsync("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("cluster-ca init --dir DIR", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("cluster-ca issue --dir DIR --name NODE", help.Stdout, StringComparison.Ordinal);

        var missing = await ClusterCaFiles.RunAsync("issue", "--dir", _dir.File("nothing"), "--name", "x", "--out", _dir.File("out"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no cluster CA in", missing.Stderr, StringComparison.Ordinal);

        var badIp = await ClusterCaFiles.RunAsync("issue", "--dir", _dir.Path, "--name", "x", "--out", _dir.File("out"), "--ip", "not-an-ip");
        Assert.Equal(2, badIp.ExitCode);
        Assert.Contains("--ip expects an IP address", badIp.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, (await ClusterCaFiles.RunAsync("sign")).ExitCode);
    }
}
