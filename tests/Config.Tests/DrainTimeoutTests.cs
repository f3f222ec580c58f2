using Gateway.Testing;
using Gateway.Config;

namespace Gateway.Config.Tests;

/// <summary><c>cluster.drain_timeout</c>, <c>--drain-timeout</c> and <c>GATEWAY_DRAIN_TIMEOUT</c>.</summary>
public class DrainTimeoutTests
{
    private static Dictionary<string, string> Env(string value) => new() { ["HOME"] = "/h", ["GATEWAY_DRAIN_TIMEOUT"] = value };

    [Fact]
    public void DefaultsToFifteenSeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), new GatewayClusterConfig().DrainTimeout);
        var config = GatewayConfigLoader.Parse("cluster { port = 0 }", "/base", ConfigAssert.NoEnv);
        Assert.Equal(TimeSpan.FromSeconds(15), config.Cluster!.DrainTimeout);
    }

    [Fact]
    public void FileTakesADuration()
    {
        var config = GatewayConfigLoader.Parse("cluster { drain_timeout = \"45s\" }", "/base", ConfigAssert.NoEnv);
        Assert.Equal(TimeSpan.FromSeconds(45), config.Cluster!.DrainTimeout);
    }

    [Theory]
    [InlineData("cluster { drain_timeout = 30 }", "a duration")]
    [InlineData("cluster { drain_timeout = \"2h\" }", "at most 3600 seconds")]
    [InlineData("cluster { drain_timeout = \"soon\" }", "a duration")]
    public void BadFileValueNamesTheKey(string hocon, string fragment)
        => ConfigAssert.HasProblem(hocon, "cluster.drain_timeout", fragment);

    [Theory]
    [InlineData("30", 30_000)]
    [InlineData("0.5", 500)]
    [InlineData("0", 0)]
    [InlineData("1m", 60_000)]
    [InlineData("3600", 3_600_000)]
    public void EnvironmentTakesSecondsOrADuration(string value, int expectedMs)
    {
        var config = GatewayConfigLoader.Load(null, Env(value), []);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), config.Cluster!.DrainTimeout);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("3601")]
    [InlineData("1e309")]
    [InlineData("NaN")]
    [InlineData("soon")]
    [InlineData("2h")]
    public void BadEnvironmentValueNamesTheVariable(string value)
    {
        var ex = Assert.Throws<ConfigException>(() => GatewayConfigLoader.Load(null, Env(value), []));
        var problem = Assert.Single(ex.Problems);
        Assert.Equal("GATEWAY_DRAIN_TIMEOUT", problem.Path);
        Assert.Contains("expected seconds (0-3600)", problem.Message);
    }

    [Fact]
    public void FlagWinsOverEnvironmentWhichWinsOverFile()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("node.hocon", "cluster { drain_timeout = \"40s\" }");
        Assert.Equal(TimeSpan.FromSeconds(40), GatewayConfigLoader.Load(path, ConfigAssert.NoEnv, []).Cluster!.DrainTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), GatewayConfigLoader.Load(path, Env("20"), []).Cluster!.DrainTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), GatewayConfigLoader.Load(path, Env("20"), ["--drain-timeout", "5s"]).Cluster!.DrainTimeout);
    }

    [Fact]
    public void BadFlagValueNamesTheFlag()
    {
        var ex = Assert.Throws<ConfigException>(() => GatewayConfigLoader.Load(null, ConfigAssert.NoEnv, ["--drain-timeout=forever"]));
        Assert.Contains(ex.Problems, p => p.Path == "--drain-timeout" && p.Message.Contains("got \"forever\""));
    }
}
