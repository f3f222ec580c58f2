using Gateway.Node.SshSessions.Cli;

namespace Gateway.Node.Tests.Cli;

public sealed class CommandLineSplitterTests
{
    [Theory]
    [InlineData("whoami", new[] { "whoami" })]
    [InlineData("  routes   --json \t", new[] { "routes", "--json" })]
    [InlineData("help 'status'", new[] { "help", "status" })]
    [InlineData("a 'b c' \"d e\" f\\ g", new[] { "a", "b c", "d e", "f g" })]
    [InlineData("x\"y z\"'w'", new[] { "xy zw" })]
    [InlineData("\"a \\\" b \\\\ c \\n\"", new[] { "a \" b \\ c \\n" })]
    [InlineData("'' \"\"", new[] { "", "" })]
    [InlineData("", new string[0])]
    public void Splits_on_whitespace_and_honours_quotes(string line, string[] expected)
    {
        var (words, error) = CommandLineSplitter.Split(line);
        Assert.Null(error);
        Assert.Equal(expected, words);
    }

    [Theory]
    [InlineData("routes 'open", "unterminated ' quote")]
    [InlineData("routes \"open", "unterminated \" quote")]
    [InlineData("routes \\", "trailing backslash")]
    public void Broken_quoting_is_an_error(string line, string message)
    {
        var (words, error) = CommandLineSplitter.Split(line);
        Assert.Equal(message, error);
        Assert.Empty(words);
    }

    [Fact]
    public void Flags_and_arguments_are_told_apart()
    {
        var invocation = CliInvocation.FromWords(["routes", "--json", "-x", "extra", "-", "--help"]);
        Assert.Equal("routes", invocation.Command);
        Assert.True(invocation.Json);
        Assert.True(invocation.Help);
        Assert.Equal(["extra", "-"], invocation.Arguments);
        Assert.Equal(["-x"], invocation.UnknownFlags);
    }
}
