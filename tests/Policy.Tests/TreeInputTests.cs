using Gateway.Policy;
using static Gateway.Policy.Tests.PolicyTestData;

namespace Gateway.Policy.Tests;

/// <summary>The input-agnostic entry point: trees of plain .NET objects, as a config loader produces.</summary>
public class TreeInputTests
{
    [Fact]
    public void Plain_object_tree_parses_like_json()
    {
        object tree = new List<object?>
        {
            new Dictionary<string, object?>
            {
                ["allow"] = new Dictionary<string, object?>
                {
                    ["and"] = new object?[]
                    {
                        new Dictionary<string, object?> { ["domain"] = new Dictionary<string, object?> { ["is"] = "example.com" } },
                        new Dictionary<string, object?> { ["claim/level"] = 42L },
                        new Dictionary<string, object?> { ["claim/email_verified"] = true },
                        new Dictionary<string, object?> { ["source_ip"] = new List<string> { "10.0.0.0/8" } },
                    },
                },
                ["deny"] = new Dictionary<string, object?>
                {
                    ["or"] = new List<object?> { new Dictionary<string, object?> { ["groups"] = "banned" } },
                },
            },
        };
        var p = PolicyParser.Parse(tree, "routes[0].policy");
        Assert.True(Admits(p, AliceHttp));
        Assert.False(Admits(p, AliceHttp with { Groups = ["banned"] }));
        Assert.False(Admits(p, AliceHttp with { Claims = new Dictionary<string, IReadOnlyList<string>> { ["level"] = ["41"] } }));
    }

    [Fact]
    public void Double_literals_compare_as_their_shortest_text()
    {
        var claims = new Dictionary<string, IReadOnlyList<string>> { ["ratio"] = ["0.5"], ["count"] = ["3"] };
        var input = AliceHttp with { Claims = claims };
        Assert.True(Admits(PolicyParser.Parse(Rule("claim/ratio", 0.5d)), input));
        Assert.True(Admits(PolicyParser.Parse(Rule("claim/count", 3d)), input));
        Assert.True(Admits(PolicyParser.Parse(Rule("claim/count", 3)), input));
        Assert.False(Admits(PolicyParser.Parse(Rule("claim/count", 4L)), input));
    }

    [Fact]
    public void Single_rule_object_and_nullable_values()
    {
        var p = PolicyParser.Parse(Rule("accept", null));
        Assert.True(Admits(p, PolicyTestData.Empty));
    }

    [Fact]
    public void Unsupported_node_type_is_a_type_error()
    {
        var e = Assert.Throws<PolicyParseException>(() => PolicyParser.Parse(Rule("email", new Uri("http://x"))));
        Assert.Equal("allow.and[0].email", e.Path);
        Assert.StartsWith("expected a string, got Uri", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Compiled_policy_is_safe_to_share_across_threads()
    {
        var p = PolicyParser.ParseJson("""{"allow":{"or":[{"email":{"ends_with":"@example.com"}}]},"deny":{"or":[{"source_ip":"10.9.0.0/16"}]}}""");
        var denied = AliceHttp with { SourceIp = System.Net.IPAddress.Parse("10.9.1.1") };
        Parallel.For(0, 2000, i =>
        {
            Assert.True(p.Allows(AliceHttp));
            Assert.False(p.Allows(denied));
        });
    }

    private static Dictionary<string, object?> Rule(string key, object? data) => new()
    {
        ["allow"] = new Dictionary<string, object?>
        {
            ["and"] = new List<object?> { new Dictionary<string, object?> { [key] = data } },
        },
    };
}
