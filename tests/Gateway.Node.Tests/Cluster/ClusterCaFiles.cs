using System.Security.Cryptography.X509Certificates;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// A cluster CA and node certificates made by the node's own <c>cluster-ca</c> command (the built
/// executable), and the <c>cluster.tls</c> block that uses them.
/// </summary>
public sealed class ClusterCaFiles
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private ClusterCaFiles(string directory) => Directory = directory;

    /// <summary>Where <c>ca.crt</c> and <c>ca.key</c> are.</summary>
    public string Directory { get; }

    public string CaCertificate => Path.Combine(Directory, "ca.crt");

    public static Task<ProcessResult> RunAsync(params string[] args)
        => ExternalProcess.RunAsync(GatewayNodeProcess.ExecutablePath, ["cluster-ca", .. args], CommandTimeout);

    public static async Task<ClusterCaFiles> InitAsync(TempDirectory dir, string name)
    {
        var directory = dir.File(name);
        var result = await RunAsync("init", "--dir", directory);
        Assert.True(result.ExitCode == 0, $"cluster-ca init: {result.ExitCode} {result.Stdout} {result.Stderr}");
        return new ClusterCaFiles(directory);
    }

    /// <summary>Issues a node certificate into its own directory; returns that directory (node.crt, node.key, ca.crt).</summary>
    public async Task<string> IssueAsync(string name, params string[] extra)
    {
        var output = Path.Combine(Path.GetDirectoryName(Directory)!, Path.GetFileName(Directory) + "-" + name);
        var result = await RunAsync(["issue", "--dir", Directory, "--name", name, "--out", output, .. extra]);
        Assert.True(result.ExitCode == 0, $"cluster-ca issue: {result.ExitCode} {result.Stdout} {result.Stderr}");
        return output;
    }

    public static string TlsBlock(string nodeDirectory) => $$"""
        cluster.tls {
          ca_file = "{{Path.Combine(nodeDirectory, "ca.crt")}}"
          cert_file = "{{Path.Combine(nodeDirectory, "node.crt")}}"
          key_file = "{{Path.Combine(nodeDirectory, "node.key")}}"
        }
        """;

    /// <summary>The certificate and key a node in <paramref name="nodeDirectory"/> presents.</summary>
    public static X509Certificate2 LoadNodeCertificate(string nodeDirectory)
        => X509Certificate2.CreateFromPemFile(Path.Combine(nodeDirectory, "node.crt"), Path.Combine(nodeDirectory, "node.key"));
}
