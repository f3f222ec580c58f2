using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Keys;

public class WildcardPatternTests
{
    [Theory]
    [InlineData("*.example.com", "gw.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("gw?.example.com", "gw1.example.com", true)]
    [InlineData("gw?.example.com", "gw12.example.com", false)]
    [InlineData("*", "", true)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("a*b*c", "aXbYc", true)]
    [InlineData("a*b*c", "aXbY", false)]
    [InlineData("GW.example.com", "gw.example.com", false)]
    public void Matches_like_openssh_match_pattern(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, WildcardPattern.Matches(pattern, text));
    }

    [Fact]
    public void Hostile_pattern_finishes_quickly()
    {
        var pattern = string.Concat(Enumerable.Repeat("*a", 200)) + "b";
        var text = new string('a', 5000);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(WildcardPattern.Matches(pattern, text));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }
}
