using Gateway.Config;

namespace Gateway.Config.Tests;

/// <summary><c>--log-format</c> and <c>GATEWAY_LOG_FORMAT</c>.</summary>
public class LogFormatTests
{
    [Fact]
    public void DefaultsToSimple()
        => Assert.Equal(LogFormat.Simple, GatewayConfigLoader.Load(null, ConfigAssert.NoEnv, []).LogFormat);

    [Fact]
    public void EnvironmentSelectsJsonAndFlagWins()
    {
        var env = new Dictionary<string, string> { ["HOME"] = "/h", ["GATEWAY_LOG_FORMAT"] = "json" };
        Assert.Equal(LogFormat.Json, GatewayConfigLoader.Load(null, env, []).LogFormat);
        Assert.Equal(LogFormat.Simple, GatewayConfigLoader.Load(null, env, ["--log-format", "simple"]).LogFormat);
        Assert.Equal(LogFormat.Json, GatewayConfigLoader.Load(null, ConfigAssert.NoEnv, ["--log-format=JSON"]).LogFormat);
    }

    [Fact]
    public void UnknownFormatNamesTheFlag()
    {
        var ex = Assert.Throws<ConfigException>(() => GatewayConfigLoader.Load(null, ConfigAssert.NoEnv, ["--log-format", "xml"]));
        var problem = Assert.Single(ex.Problems);
        Assert.Equal("--log-format", problem.Path);
        Assert.Equal("expected simple or json, got \"xml\"", problem.Message);
    }
}
