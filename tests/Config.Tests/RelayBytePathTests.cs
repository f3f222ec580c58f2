using Gateway.Config;

namespace Gateway.Config.Tests;

/// <summary><c>cluster.relay_byte_path</c>.</summary>
public class RelayBytePathTests
{
    [Fact]
    public void DefaultsToTheStreamsGraph()
    {
        var config = GatewayConfigLoader.Parse("cluster { port = 0 }", "/base", ConfigAssert.NoEnv);
        Assert.Equal(RelayBytePath.Streams, config.Cluster!.RelayBytePath);
    }

    [Theory]
    [InlineData("streams", RelayBytePath.Streams)]
    [InlineData("splice", RelayBytePath.Splice)]
    public void TakesEitherPath(string text, RelayBytePath expected)
    {
        var config = GatewayConfigLoader.Parse($"cluster {{ relay_byte_path = \"{text}\" }}", "/base", ConfigAssert.NoEnv);
        Assert.Equal(expected, config.Cluster!.RelayBytePath);
    }

    [Theory]
    [InlineData("cluster { relay_byte_path = \"akka-io\" }", "expected \"streams\" or \"splice\"")]
    [InlineData("cluster { relay_byte_path = \"Streams\" }", "expected \"streams\" or \"splice\"")]
    public void AnythingElseNamesTheKey(string hocon, string fragment)
        => ConfigAssert.HasProblem(hocon, "cluster.relay_byte_path", fragment);
}
