namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// <c>logout</c>: for a connection signed in through the identity provider, ends that sign-in
/// session on every node (the session and every key bound to it; the sign-in watchers then close
/// this and every other connection of the session). A configured user (key or certificate) has
/// no sign-in to end, which it says, with exit status 0: what the user asked for ("not signed in
/// afterwards") holds, so a script's <c>ssh gw logout &amp;&amp; ...</c> goes on.
/// </summary>
public sealed class LogoutCommand : ICliCommand
{
    public const string NothingToEnd =
        "gateway: there is no sign-in to end: this connection's key or certificate belongs to a configured user, checked on each connection with no session kept. " +
        "To stop serving, close your ssh connections; to revoke access, remove the key from the gateway's users.\n";

    /// <summary>Pomerium's words, on stdout with the gateway's other results.</summary>
    public const string LoggedOut = "Logged out successfully\n";

    public string Name => "logout";
    public string Usage => "logout";
    public string Summary => "end your sign-in on every node, closing its ssh connections (configured users have none)";
    public bool AcceptsJson => false;
    public int MaxArguments => 0;

    public async Task<CliResult> RunAsync(CliInvocation invocation, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Identity.SessionId is not { } sessionId || context.SignIn is not { } store)
            return CliResult.Output(NothingToEnd);
        try
        {
            await store.EndSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A write the cluster did not confirm in time: the session may or may not have ended.
            return CliResult.Error($"gateway: logout failed: {ex.Message}; run logout again\n", CliExitCodes.Failure);
        }
        return CliResult.Output(LoggedOut);
    }
}
