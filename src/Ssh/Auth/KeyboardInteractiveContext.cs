namespace Gateway.Ssh.Auth;

/// <summary>A keyboard-interactive attempt (RFC 4256). The callback drives rounds with <see cref="PromptAsync"/>.</summary>
public sealed class KeyboardInteractiveContext : AuthContext
{
    private readonly ServerAuthenticationLayer _layer;
    private readonly CancellationToken _attemptToken;

    internal KeyboardInteractiveContext(SshAuthState state, string submethods, ServerAuthenticationLayer layer, CancellationToken attemptToken)
        : base(state)
    {
        Submethods = submethods;
        _layer = layer;
        _attemptToken = attemptToken;
    }

    /// <summary>The client's submethods hint (usually empty).</summary>
    public string Submethods { get; }

    /// <summary>
    /// Sends one INFO_REQUEST and returns the responses, one per prompt. With no prompts the
    /// client shows <paramref name="name"/> and <paramref name="instruction"/> (e.g. a sign-in URL)
    /// and answers at once with an empty response. A response whose count differs from the
    /// prompts fails the attempt (<see cref="KeyboardInteractiveResponseException"/>).
    /// </summary>
    public ValueTask<string[]> PromptAsync(string name, string instruction, IReadOnlyList<SshPrompt>? prompts = null, CancellationToken cancellationToken = default) =>
        _layer.PromptAsync(name, instruction, prompts ?? [], _attemptToken, cancellationToken);
}

/// <summary>The client's INFO_RESPONSE did not match the INFO_REQUEST; the attempt fails.</summary>
public sealed class KeyboardInteractiveResponseException : Exception
{
    public KeyboardInteractiveResponseException(string message) : base(message) { }
}
