namespace Gateway.Ssh.Auth;

public enum AuthDecisionKind
{
    Failure,
    /// <summary>This method passed but more are required (RFC 4252 §5.1 partial success).</summary>
    PartialSuccess,
    Success,
}

/// <summary>What an <see cref="ISshServerAuthenticator"/> decided about one attempt.</summary>
public sealed class AuthDecision
{
    private static readonly AuthDecision FailureInstance = new(AuthDecisionKind.Failure, null, null);

    private AuthDecision(AuthDecisionKind kind, object? identity, IReadOnlyDictionary<string, string>? properties, string? message = null)
    {
        Kind = kind;
        Identity = identity;
        Properties = properties;
        Message = message;
    }

    public AuthDecisionKind Kind { get; }

    /// <summary>Caller's own identity object; the last non-null one reaches <see cref="SshAuthenticatedUser.Identity"/>.</summary>
    public object? Identity { get; }

    /// <summary>Caller's properties; merged over partial successes into <see cref="SshAuthenticatedUser.Properties"/>.</summary>
    public IReadOnlyDictionary<string, string>? Properties { get; }

    /// <summary>For a failure: text shown to the user (sent as USERAUTH_BANNER before the failure reply), or null.</summary>
    public string? Message { get; }

    public static AuthDecision Failure => FailureInstance;

    /// <summary>
    /// A refusal the user should understand, e.g. a certificate whose restrictions the server
    /// cannot honour. OpenSSH's client prints the message; other methods may still be tried.
    /// </summary>
    public static AuthDecision FailureWithMessage(string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(message);
        return new AuthDecision(AuthDecisionKind.Failure, null, null, message);
    }

    public static AuthDecision Success(object? identity = null, IReadOnlyDictionary<string, string>? properties = null) =>
        new(AuthDecisionKind.Success, identity, properties);

    public static AuthDecision PartialSuccess(object? identity = null, IReadOnlyDictionary<string, string>? properties = null) =>
        new(AuthDecisionKind.PartialSuccess, identity, properties);
}
