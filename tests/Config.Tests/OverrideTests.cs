using Gateway.Config;

using Gateway.Testing;

namespace Gateway.Config.Tests;

public class OverrideTests
{
    private const string File = """
        address = "127.0.0.1:1000"
        ssh_address = "127.0.0.1:1001"
        data_dir = "/file/data"
        cluster {
          hostname = "10.0.0.1"
          port = 1002
          seed_nodes = ["127.0.0.1:1002"]
          relay_address = "127.0.0.1:1003"
          # 10.0.0.x without cluster.tls: these tests are about overrides, not transport security.
          insecure = true
        }
        """;

    private static GatewayConfig Load(TempDirectory dir, IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var path = dir.Write("node.hocon", File);
        return GatewayConfigLoader.Load(path, env, args);
    }

    private static readonly Dictionary<string, string> AllEnv = new()
    {
        ["HOME"] = "/home/tester",
        ["GATEWAY_ADDRESS"] = "127.0.0.1:2000",
        ["GATEWAY_SSH_ADDRESS"] = "127.0.0.1:2001",
        ["GATEWAY_DATA_DIR"] = "/env/data",
        ["GATEWAY_CLUSTER_HOSTNAME"] = "10.0.0.2",
        ["GATEWAY_CLUSTER_PORT"] = "2002",
        ["GATEWAY_SEED_NODES"] = "127.0.0.1:2002,127.0.0.1:2012",
        ["GATEWAY_RELAY_ADDRESS"] = "127.0.0.1:2003",
    };

    private static readonly string[] AllFlags =
    [
        "--address", "127.0.0.1:3000", "--ssh-address=127.0.0.1:3001", "--data-dir", "/flag/data",
        "--cluster-hostname", "10.0.0.3", "--cluster-port", "3002", "--seed-nodes", "a:1,b:2",
        "--relay-address", "127.0.0.1:3003", "--insecure-server",
    ];

    [Fact]
    public void FileValuesApplyWithoutOverrides()
    {
        using var dir = new TempDirectory();
        var config = Load(dir, ConfigAssert.NoEnv);
        Assert.Equal("127.0.0.1:1000", config.Address.ToString());
        Assert.Equal("127.0.0.1:1001", config.SshAddress!.ToString());
        Assert.Equal("/file/data", config.DataDir);
        Assert.Equal("10.0.0.1", config.Cluster!.Hostname);
        Assert.Equal(1002, config.Cluster.Port);
        Assert.Equal(["127.0.0.1:1002"], config.Cluster.SeedNodes);
        Assert.Equal("127.0.0.1:1003", config.Cluster.RelayAddress!.ToString());
        Assert.False(config.InsecureServer);
    }

    [Fact]
    public void EnvironmentOverridesFile()
    {
        using var dir = new TempDirectory();
        var config = Load(dir, AllEnv);
        Assert.Equal("127.0.0.1:2000", config.Address.ToString());
        Assert.Equal("127.0.0.1:2001", config.SshAddress!.ToString());
        Assert.Equal("/env/data", config.DataDir);
        Assert.Equal("10.0.0.2", config.Cluster!.Hostname);
        Assert.Equal(2002, config.Cluster.Port);
        Assert.Equal(["127.0.0.1:2002", "127.0.0.1:2012"], config.Cluster.SeedNodes);
        Assert.Equal("127.0.0.1:2003", config.Cluster.RelayAddress!.ToString());
    }

    [Fact]
    public void FlagsOverrideEnvironmentAndFile()
    {
        using var dir = new TempDirectory();
        var config = Load(dir, AllEnv, AllFlags);
        Assert.Equal("127.0.0.1:3000", config.Address.ToString());
        Assert.Equal("127.0.0.1:3001", config.SshAddress!.ToString());
        Assert.Equal("/flag/data", config.DataDir);
        Assert.Equal("10.0.0.3", config.Cluster!.Hostname);
        Assert.Equal(3002, config.Cluster.Port);
        Assert.Equal(["a:1", "b:2"], config.Cluster.SeedNodes);
        Assert.Equal("127.0.0.1:3003", config.Cluster.RelayAddress!.ToString());
        Assert.True(config.InsecureServer);
    }

    [Fact]
    public void ClusterOverridesCreateClusterBlockWhenFileHasNone()
    {
        var config = GatewayConfigLoader.Load(null, ConfigAssert.NoEnv, ["--cluster-port", "4053"]);
        Assert.Equal(4053, config.Cluster!.Port);
        Assert.Equal("127.0.0.1", config.Cluster.Hostname);
        Assert.Empty(config.Cluster.SeedNodes);
    }

    [Fact]
    public void ConfigFlagWinsOverPathArgument()
    {
        using var dir = new TempDirectory();
        var other = dir.Write("other.hocon", "address = \"127.0.0.1:5555\"");
        var config = GatewayConfigLoader.Load("/nonexistent.hocon", ConfigAssert.NoEnv, ["--config", other]);
        Assert.Equal(5555, config.Address.Port);
    }

    [Fact]
    public void RelativeConfigFlagResolvesAgainstTheWorkingDirectory()
    {
        using var dir = new TempDirectory();
        var sub = Directory.CreateDirectory(System.IO.Path.Combine(dir.Path, "sub")).FullName;
        System.IO.File.WriteAllText(System.IO.Path.Combine(sub, "my.hocon"), "address = \"127.0.0.1:5556\"\ndata_dir = \"state\"");
        var config = GatewayConfigLoader.Load(null, ConfigAssert.NoEnv, ["--config", "sub/my.hocon"], workingDirectory: dir.Path);
        Assert.Equal(5556, config.Address.Port);
        Assert.Equal(System.IO.Path.Combine(sub, "state"), config.DataDir);
    }

    [Fact]
    public void RelativeDataDirFlagResolvesAgainstTheWorkingDirectory()
    {
        using var dir = new TempDirectory();
        var config = GatewayConfigLoader.Load(null, ConfigAssert.NoEnv, ["--data-dir", "state"], workingDirectory: dir.Path);
        Assert.Equal(System.IO.Path.Combine(dir.Path, "state"), config.DataDir);
    }

    [Fact]
    public void MissingRelativeConfigFileIsReportedWithTheWorkingDirectory()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<ConfigException>(() =>
            GatewayConfigLoader.Load(null, ConfigAssert.NoEnv, ["--config", "my.hocon"], workingDirectory: dir.Path));
        Assert.Contains($"--config: file not found: {dir.Path}/my.hocon", ex.Message);
    }

    [Fact]
    public void MissingConfigFileIsReported()
    {
        var ex = Assert.Throws<ConfigException>(() => GatewayConfigLoader.Load(null, ConfigAssert.NoEnv, ["--config", "/nonexistent/x.hocon"]));
        Assert.Contains("--config: file not found: /nonexistent/x.hocon", ex.Message);
    }

    [Fact]
    public void UnknownFlagIsReportedWithSuggestion()
    {
        var ex = Assert.Throws<ConfigException>(() => GatewayConfigLoader.Load(null, ConfigAssert.NoEnv, ["--adress", "x:1", "--verbose"]));
        Assert.Contains(ex.Problems, p => p.Path == "--adress" && p.Message.Contains("did you mean `--address`?"));
        Assert.Contains(ex.Problems, p => p.Path == "--verbose" && p.Message.StartsWith("unknown flag"));
    }

    [Theory]
    [InlineData("GATEWAY_CLUSTER_PORT", "port", "expected a port from 0 to 65535")]
    [InlineData("GATEWAY_ADDRESS", "nohost", "no port")]
    [InlineData("GATEWAY_SEED_NODES", "a:1,bad", "expected \"host:port\"")]
    [InlineData("GATEWAY_RELAY_ADDRESS", "x:99999", "port from 0 to 65535")]
    public void InvalidEnvironmentValueNamesVariable(string variable, string value, string fragment)
    {
        var env = new Dictionary<string, string> { ["HOME"] = "/h", [variable] = value };
        var ex = Assert.Throws<ConfigException>(() => GatewayConfigLoader.Load(null, env, []));
        Assert.Contains(ex.Problems, p => p.Path == variable && p.Message.Contains(fragment));
    }

    [Fact]
    public void InvalidFlagValueAndMissingValueAreReportedTogether()
    {
        var ex = Assert.Throws<ConfigException>(() =>
            GatewayConfigLoader.Load(null, ConfigAssert.NoEnv, ["--cluster-port", "x", "--insecure-server=maybe", "--relay-address"]));
        Assert.Equal(["--relay-address", "--insecure-server", "--cluster-port"], ex.Problems.Select(p => p.Path).Order().Reverse().ToArray());
    }

    [Fact]
    public void SeedNodesAcceptAkkaAddresses()
    {
        var config = GatewayConfigLoader.Load(null, ConfigAssert.NoEnv,
            ["--seed-nodes", "akka.tcp://gateway@127.0.0.1:4053, 127.0.0.1:4054"]);
        Assert.Equal(["akka.tcp://gateway@127.0.0.1:4053", "akka.tcp://gateway@127.0.0.1:4054"],
            config.Cluster!.SeedNodeAddresses("gateway"));
    }

    [Fact]
    public void EmptySshAddressDisablesSsh()
    {
        Assert.Null(GatewayConfigLoader.Parse("ssh_address = \"\"", "/b", ConfigAssert.NoEnv).SshAddress);
        Assert.Equal(22, GatewayConfigLoader.Parse("ssh_address = \"0.0.0.0\"", "/b", ConfigAssert.NoEnv).SshAddress!.Port);
    }
}
