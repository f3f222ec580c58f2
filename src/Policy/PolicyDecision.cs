namespace Gateway.Policy;

/// <summary>Why a decision came out as it did.</summary>
public enum PolicyOutcome
{
    /// <summary>An allow rule matched and no deny rule did.</summary>
    Allowed,
    /// <summary>A deny rule matched (deny overrides allow).</summary>
    DeniedByRule,
    /// <summary>There are allow rules but none matched.</summary>
    NotAllowed,
    /// <summary>The policy has no allow rule at all (absent, empty or deny-only).</summary>
    NoAllowRules,
}

/// <summary>
/// Result of evaluating a policy. <see cref="Reasons"/> lists the criteria that decided, each as
/// "path: reason-code" (e.g. <c>allow.or[1].email: email-ok</c>), for logs and the "why not" hint.
/// </summary>
public sealed class PolicyDecision
{
    internal PolicyDecision(PolicyOutcome outcome, IReadOnlyList<string> reasons)
    {
        Outcome = outcome;
        Reasons = reasons;
    }

    public bool Allowed => Outcome == PolicyOutcome.Allowed;

    public PolicyOutcome Outcome { get; }

    public IReadOnlyList<string> Reasons { get; }

    /// <summary>
    /// Not allowed, and signing in could change that: some allow criterion failed only because
    /// there was no session. The HTTP side uses it to choose sign-in over 403.
    /// </summary>
    public bool RequiresSignIn =>
        Outcome == PolicyOutcome.NotAllowed
        && Reasons.Any(r => r.EndsWith(": " + PolicyReasons.UserUnauthenticated, StringComparison.Ordinal));

    public override string ToString() => Outcome + (Reasons.Count == 0 ? "" : " (" + string.Join("; ", Reasons) + ")");
}
