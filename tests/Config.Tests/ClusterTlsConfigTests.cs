using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Testing;

namespace Gateway.Config.Tests;

/// <summary>
/// <c>cluster.tls</c> and <c>cluster.insecure</c>: a cluster that other hosts can reach is refused
/// without TLS unless the operator says <c>insecure = true</c>; the TLS files come as a set, are
/// PEM, and the key is private.
/// </summary>
public class ClusterTlsConfigTests
{
    private static (string Ca, string Cert, string Key) WriteClusterFiles(TempDirectory dir, UnixFileMode keyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=test cluster CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var nodeKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var nodeRequest = new CertificateRequest("CN=node-a", nodeKey, HashAlgorithmName.SHA256);
        using var node = nodeRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), [1, 2, 3, 4]);
        return (dir.Write("ca.crt", ca.ExportCertificatePem(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead),
            dir.Write("node.crt", node.ExportCertificatePem()),
            dir.Write("node.key", nodeKey.ExportPkcs8PrivateKeyPem(), keyMode));
    }

    private static string Tls((string Ca, string Cert, string Key) files)
        => $"tls {{ ca_file = \"{files.Ca}\", cert_file = \"{files.Cert}\", key_file = \"{files.Key}\" }}";

    [Theory]
    [InlineData("hostname = \"10.0.0.5\"", "cluster.hostname 10.0.0.5")]
    [InlineData("hostname = \"node-a.internal\"", "cluster.hostname node-a.internal")]
    [InlineData("seed_nodes = [\"10.0.0.1:4053\"]", "seed 10.0.0.1:4053")]
    [InlineData("seed_nodes = [\"akka.tcp://gateway@node-b:4053\"]", "seed akka.tcp://gateway@node-b:4053")]
    [InlineData("relay_address = \"0.0.0.0:4153\"", "cluster.relay_address 0.0.0.0:4153")]
    public void A_cluster_other_hosts_can_reach_needs_tls_or_insecure(string setting, string named)
    {
        var problem = ConfigAssert.HasProblem($"cluster {{ {setting} }}", "cluster.tls", named);
        Assert.Contains("cluster.insecure = true", problem.Message, StringComparison.Ordinal);
        Assert.Contains("cluster-ca init", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("cluster { hostname = \"127.0.0.1\", seed_nodes = [\"127.0.0.1:4053\", \"localhost:4054\", \"[::1]:4055\"], relay_address = \"127.0.0.1:0\" }")]
    public void Loopback_clusters_need_no_tls(string hocon)
    {
        var config = GatewayConfigLoader.Parse(hocon, "/base", ConfigAssert.NoEnv);
        Assert.Null((config.Cluster ?? new GatewayClusterConfig()).Tls);
    }

    [Fact]
    public void Insecure_true_allows_a_plaintext_cluster_on_a_reachable_address()
    {
        var config = GatewayConfigLoader.Parse("cluster { hostname = \"10.0.0.5\", insecure = true }", "/base", ConfigAssert.NoEnv);
        Assert.True(config.Cluster!.Insecure);
        Assert.Equal("akka.tcp", config.Cluster.AkkaProtocol);
    }

    [Fact]
    public void Insecure_can_be_given_as_a_flag_or_in_the_environment()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("node.hocon", "cluster { port = 4053 }");
        var env = new Dictionary<string, string>(ConfigAssert.NoEnv) { ["GATEWAY_CLUSTER_HOSTNAME"] = "10.0.0.7" };

        var refused = Assert.Throws<ConfigException>(() => GatewayConfigLoader.Load(path, env, []));
        Assert.Contains(refused.Problems, p => p.Path == "cluster.tls");

        Assert.True(GatewayConfigLoader.Load(path, env, ["--cluster-insecure"]).Cluster!.Insecure);
        env["GATEWAY_CLUSTER_INSECURE"] = "true";
        Assert.True(GatewayConfigLoader.Load(path, env, []).Cluster!.Insecure);
        var off = Assert.Throws<ConfigException>(() => GatewayConfigLoader.Load(path, env, ["--cluster-insecure=false"]));
        Assert.Contains(off.Problems, p => p.Path == "cluster.tls");
    }

    [Fact]
    public void Tls_files_switch_the_cluster_to_akka_ssl_tcp()
    {
        using var dir = new TempDirectory();
        var files = WriteClusterFiles(dir);
        var config = GatewayConfigLoader.Parse($"cluster {{ hostname = \"10.0.0.5\", seed_nodes = [\"10.0.0.1:4053\"]\n{Tls(files)} }}", dir.Path, ConfigAssert.NoEnv);
        Assert.Equal(new ClusterTlsFiles(files.Ca, files.Cert, files.Key), config.Cluster!.Tls);
        Assert.Equal("akka.ssl.tcp", config.Cluster.AkkaProtocol);
        Assert.Equal(["akka.ssl.tcp://gateway@10.0.0.1:4053"], config.Cluster.SeedNodeAddresses("gateway"));
    }

    [Fact]
    public void Tls_files_can_be_given_as_flags_or_in_the_environment()
    {
        using var dir = new TempDirectory();
        var files = WriteClusterFiles(dir);
        var path = dir.Write("node.hocon", "cluster { hostname = \"10.0.0.5\" }");
        var env = new Dictionary<string, string>(ConfigAssert.NoEnv) { ["GATEWAY_CLUSTER_TLS_CA"] = files.Ca };
        var config = GatewayConfigLoader.Load(path, env, ["--cluster-tls-cert", files.Cert, "--cluster-tls-key=" + files.Key]);
        Assert.Equal(new ClusterTlsFiles(files.Ca, files.Cert, files.Key), config.Cluster!.Tls);
    }

    [Fact]
    public void A_partial_tls_block_names_what_is_missing()
    {
        using var dir = new TempDirectory();
        var files = WriteClusterFiles(dir);
        ConfigAssert.HasProblem($"cluster {{ tls {{ ca_file = \"{files.Ca}\", cert_file = \"{files.Cert}\" }} }}", "cluster.tls", "missing: key_file");
    }

    [Fact]
    public void A_tls_key_file_others_can_read_is_refused()
    {
        using var dir = new TempDirectory();
        var files = WriteClusterFiles(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        ConfigAssert.HasProblem($"cluster {{ {Tls(files)} }}", "cluster.tls.key_file", "permissions are too open (chmod 600)");
    }

    [Fact]
    public void Missing_files_a_ca_that_is_not_a_ca_and_unknown_keys_are_named()
    {
        using var dir = new TempDirectory();
        var files = WriteClusterFiles(dir);
        ConfigAssert.HasProblem($"cluster {{ {Tls(files with { Cert = dir.File("absent.crt") })} }}", "cluster.tls.cert_file", "file not found");
        ConfigAssert.HasProblem($"cluster {{ {Tls(files with { Ca = files.Cert })} }}", "cluster.tls.ca_file", "is not a CA certificate");
        ConfigAssert.HasProblem($"cluster {{ tls {{ cafile = \"{files.Ca}\" }} }}", "cluster.tls.cafile", "did you mean `ca_file`?");
    }

    [Fact]
    public void A_key_that_does_not_belong_to_the_certificate_is_refused()
    {
        using var dir = new TempDirectory();
        var files = WriteClusterFiles(dir);
        var otherKey = dir.WritePrivateKey("other.key");
        ConfigAssert.HasProblem($"cluster {{ {Tls(files with { Key = otherKey })} }}", "cluster.tls.cert_file", "could not load the certificate and key_file");
    }
}
