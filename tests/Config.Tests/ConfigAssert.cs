using Gateway.Config;

namespace Gateway.Config.Tests;

internal static class ConfigAssert
{
    public static readonly IReadOnlyDictionary<string, string> NoEnv = new Dictionary<string, string> { ["HOME"] = "/home/tester" };

    public static ConfigException Fails(string hocon, string? baseDirectory = null)
        => Assert.Throws<ConfigException>(() => GatewayConfigLoader.Parse(hocon, baseDirectory ?? "/base", NoEnv));

    /// <summary>The text fails with a problem at exactly <paramref name="path"/> whose message contains
    /// <paramref name="fragment"/>, and the exception message shows "path: ...".</summary>
    public static ConfigProblem HasProblem(string hocon, string path, string fragment, string? baseDirectory = null)
    {
        var ex = Fails(hocon, baseDirectory);
        var problem = ex.Problems.FirstOrDefault(p => p.Path == path && p.Message.Contains(fragment, StringComparison.Ordinal));
        Assert.True(problem is not null,
            $"expected a problem at `{path}` containing `{fragment}`, got:{Environment.NewLine}{ex.Message}");
        Assert.Contains($"{path}: ", ex.Message, StringComparison.Ordinal);
        return problem!;
    }

    /// <summary>A minimal valid route with extra settings spliced in.</summary>
    public static string Route(string extra = "", string from = "https://app.example.com", string to = "\"http://localhost:8080\"")
        => $"routes = [\n  {{\n    from = \"{from}\"\n    to = {to}\n    {extra}\n  }}\n]\n";
}
