using Gateway.Node.SshSessions.Cli;

namespace Gateway.Node.Tests.Cli;

/// <summary>How a command line is dispatched: help, unknown commands and flags, arguments, exit statuses.</summary>
public sealed class CliCommandsTests
{
    private readonly CliFixture _f = new();

    [Theory]
    [InlineData("help")]
    [InlineData("")]
    [InlineData("--help")]
    public async Task Help_lists_every_command_on_stdout_with_status_0(string line)
    {
        var result = await _f.RunAsync(line);
        Assert.Equal(CliExitCodes.Success, result.ExitCode);
        Assert.Equal("", result.Stderr);
        Assert.StartsWith("usage: ssh [-p PORT] GATEWAY COMMAND [--json]\n", result.Stdout);
        foreach (var usage in new[] { "whoami [--json]", "routes [--json]", "status [--json]", "logout", "help [COMMAND]" })
            Assert.Contains("\n  " + usage + " ", result.Stdout);
    }

    [Fact]
    public async Task Unknown_command_prints_help_to_stderr_with_status_1()
    {
        var result = await _f.RunAsync("uptime -a");
        Assert.Equal(CliExitCodes.Failure, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.StartsWith("gateway: unknown command \"uptime\"\n\nusage: ssh [-p PORT] GATEWAY COMMAND [--json]\n", result.Stderr);
        Assert.Contains("  routes [--json]", result.Stderr);
    }

    [Fact]
    public async Task Control_characters_in_an_unknown_command_are_escaped()
    {
        var result = await _f.RunAsync("\"\u001b[2Jboom\"");
        Assert.StartsWith("gateway: unknown command \"\\x1b[2Jboom\"", result.Stderr);
    }

    [Theory]
    [InlineData("routes --jsn", "gateway: unknown flag \"--jsn\" for \"routes\"\nusage: routes [--json]\n")]
    [InlineData("logout --json", "gateway: unknown flag \"--json\" for \"logout\"\nusage: logout\n")]
    [InlineData("whoami bob", "gateway: \"whoami\" takes no arguments, got \"bob\"\nusage: whoami [--json]\n")]
    [InlineData("help routes status", "gateway: \"help\" takes at most 1 argument, got \"status\"\nusage: help [COMMAND]\n")]
    [InlineData("routes 'unclosed", "gateway: cannot read the command line: unterminated ' quote\n")]
    [InlineData("--json routes", "gateway: unknown flag \"--json\": the command comes first\nusage: COMMAND [--json], see help\n")]
    public async Task Usage_errors_exit_2_with_a_message_on_stderr(string line, string stderr)
    {
        var result = await _f.RunAsync(line);
        Assert.Equal(CliExitCodes.Usage, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal(stderr, result.Stderr);
    }

    [Fact]
    public async Task A_commands_help_flag_and_help_topic_print_its_usage()
    {
        var flag = await _f.RunAsync("status --help");
        var topic = await _f.RunAsync("help status");
        Assert.Equal("usage: status [--json]\nthis connection's forwards (-R requests) and the routes each serves\n", flag.Stdout);
        Assert.Equal(flag, topic);
        var unknown = await _f.RunAsync("help nope");
        Assert.Equal(CliExitCodes.Failure, unknown.ExitCode);
        Assert.StartsWith("gateway: unknown command \"nope\"", unknown.Stderr);
    }

    [Fact]
    public async Task Logout_of_a_sign_in_ends_its_session_and_says_so()
    {
        var store = new Gateway.Node.Tests.SignIn.InMemorySignInStore();
        var session = Gateway.Node.Tests.SignIn.SignInSshServer.Session();
        await store.SaveSessionAsync(session, CancellationToken.None);
        await store.SaveBindingAsync(new Gateway.Contracts.SignIn.SessionBinding(Gateway.Ssh.Keys.SshKeys.Fingerprint(_f.Key), session.Id, "127.0.0.1",
            DateTimeOffset.UtcNow, session.ExpiresAt), CancellationToken.None);
        var context = _f.Context with { Identity = _f.Identity with { SessionId = session.Id, Subject = session.Subject }, SignIn = store };
        var result = await new CliCommands().RunAsync("logout", context, CancellationToken.None);
        Assert.Equal((CliExitCodes.Success, "Logged out successfully\n", ""), (result.ExitCode, result.Stdout, result.Stderr));
        Assert.Null(store.FindSession(session.Id));
        Assert.Empty(store.BindingsOf(session.Id));
    }

    [Fact]
    public async Task Logout_says_there_is_no_sign_in_to_end_and_succeeds()
    {
        var result = await _f.RunAsync("logout");
        Assert.Equal(CliExitCodes.Success, result.ExitCode);
        Assert.Equal(LogoutCommand.NothingToEnd, result.Stdout);
        Assert.StartsWith("gateway: there is no sign-in to end", result.Stdout);
    }

    [Fact]
    public async Task A_status_that_gets_no_answer_in_time_fails_with_status_1()
    {
        var context = _f.Context with
        {
            Forwards = async ct =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return new Gateway.Actors.Sessions.SessionStatus([]);
            },
        };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var result = await new CliCommands().RunAsync("status", context, cancel.Token);
        Assert.Equal(CliExitCodes.Failure, result.ExitCode);
        Assert.Equal("gateway: status: no answer in time; try again\n", result.Stderr);
    }
}
