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

    private AuthDecision(AuthDecisionKind kind, object? identity, IReadOnlyDictionary<string, string>? properties)
    {
        Kind = kind;
        Identity = identity;
        Properties = properties;
    }

    public AuthDecisionKind Kind { get; }

    /// <summary>Caller's own identity object; the last non-null one reaches <see cref="SshAuthenticatedUser.Identity"/>.</summary>
    public object? Identity { get; }

    /// <summary>Caller's properties; merged over partial successes into <see cref="SshAuthenticatedUser.Properties"/>.</summary>
    public IReadOnlyDictionary<string, string>? Properties { get; }

    public static AuthDecision Failure => FailureInstance;

    public static AuthDecision Success(object? identity = null, IReadOnlyDictionary<string, string>? properties = null) =>
        new(AuthDecisionKind.Success, identity, properties);

    public static AuthDecision PartialSuccess(object? identity = null, IReadOnlyDictionary<string, string>? properties = null) =>
        new(AuthDecisionKind.PartialSuccess, identity, properties);
}
