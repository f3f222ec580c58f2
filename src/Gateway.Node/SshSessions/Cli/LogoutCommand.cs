namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// <c>logout</c>: ends this identity's sign-in everywhere once the gateway has a sign-in. Until
/// then there is nothing to end, which it says, with exit status 0: what the user asked for
/// ("not signed in afterwards") holds, so a script's <c>ssh gw logout &amp;&amp; ...</c> goes on.
/// </summary>
public sealed class LogoutCommand : ICliCommand
{
    public const string NothingToEnd =
        "gateway: there is no sign-in to end: this gateway authenticates each connection by its SSH key or certificate and keeps no session. " +
        "To stop serving, close your ssh connections; to revoke access, remove the key from the gateway's users.\n";

    public string Name => "logout";
    public string Usage => "logout";
    public string Summary => "end your sign-in (this gateway keeps none: keys are checked per connection)";
    public bool AcceptsJson => false;
    public int MaxArguments => 0;

    public Task<CliResult> RunAsync(CliInvocation invocation, CliContext context, CancellationToken cancellationToken)
        => Task.FromResult(CliResult.Output(NothingToEnd));
}
