namespace Gateway.Ssh.Auth;

/// <summary>The caller's authentication policy; the library never hard-codes one.</summary>
public interface ISshServerAuthenticator
{
    /// <summary>
    /// Methods to offer right now (e.g. <c>["publickey"]</c>, or <c>["keyboard-interactive"]</c> after
    /// publickey gave partial success). Names the library does not implement are dropped.
    /// </summary>
    IReadOnlyList<string> GetMethods(SshAuthState state);

    /// <summary>Called for the query (no signature) and for the signed request, after the library's own checks and before the signature is verified.</summary>
    ValueTask<AuthDecision> AuthenticatePublicKeyAsync(PublicKeyAuthContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Drives rounds with <see cref="KeyboardInteractiveContext.PromptAsync"/>; may wait for an
    /// outside decision (the library sends IGNORE heartbeats meanwhile). The token is cancelled
    /// when the client abandons the attempt or the connection ends.
    /// </summary>
    ValueTask<AuthDecision> AuthenticateKeyboardInteractiveAsync(KeyboardInteractiveContext context, CancellationToken cancellationToken);
}
