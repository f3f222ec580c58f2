using Gateway.Actors.Sessions;

namespace Gateway.Actors.Tests.Sessions;

public class HostPatternTests
{
    [Theory]
    [InlineData("", "a.example.com", true)]
    [InlineData("*", "a.example.com", true)]
    [InlineData("***", "a.example.com", true)]
    [InlineData("localhost", "a.example.com", true)]
    [InlineData("LOCALHOST", "x", true)]
    [InlineData("https-*", "https-route.example.com", true)]
    [InlineData("https-*", "http-route.example.com", false)]
    [InlineData("HTTPS-*", "https-route.example.com", true)]
    [InlineData("?.example.com", "*.example.com", true)]
    [InlineData("?.example.com", "ab.example.com", false)]
    [InlineData("*.example.com", "a.b.example.com", true)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("route.example.com", "route.example.com.evil", false)]
    [InlineData("a.c", "abc", false)]
    [InlineData("[a]", "a", false)]
    public void Glob_matches_like_openssh_match_pattern(string pattern, string host, bool expected)
        => Assert.Equal(expected, HostPattern.Glob(pattern).Matches(host));

    [Theory]
    [InlineData("route.example.com", "route.example.com", true)]
    [InlineData("Route.example.com", "route.example.com", false)]
    [InlineData("*.example.com", "*.example.com", true)]
    [InlineData("*.example.com", "a.example.com", false)]
    [InlineData("localhost", "a.example.com", false)]
    public void Exact_is_case_sensitive_and_literal(string pattern, string host, bool expected)
        => Assert.Equal(expected, HostPattern.Exact(pattern).Matches(host));

    [Fact]
    public void Collapsed_stars_and_match_all_forms_are_equivalent()
    {
        Assert.True(HostPattern.Glob("foo*").IsEquivalentTo(HostPattern.Glob("foo**")));
        Assert.True(HostPattern.Glob("").IsEquivalentTo(HostPattern.Glob("localhost")));
        Assert.False(HostPattern.Glob("foo*").IsEquivalentTo(HostPattern.Glob("foo?")));
    }

    [Fact]
    public void Pathological_pattern_finishes_quickly()
    {
        var pattern = HostPattern.Glob(string.Concat(Enumerable.Repeat("a*", 40)) + "b");
        Assert.False(pattern.Matches(new string('a', 4000)));
    }
}
