namespace Gateway.Policy.Criteria;

/// <summary>Outcome of one criterion; <see cref="Unauthenticated"/> is a failure that says "sign in first".</summary>
internal enum CriterionResult : byte
{
    NoMatch,
    Match,
    Unauthenticated,
}

/// <summary>
/// One compiled criterion. Subclasses are small and sealed; evaluation reads the input only
/// and never throws or allocates.
/// </summary>
internal abstract class Criterion(string path, string okReason, string failReason)
{
    /// <summary>Where the criterion sits in the policy, e.g. <c>allow.or[1].email</c>.</summary>
    public string Path { get; } = path;

    public abstract CriterionResult Evaluate(PolicyInput input);

    /// <summary>Reason code for a result, following Pomerium's names (email-ok, user-unauthenticated, ...).</summary>
    public string ReasonFor(CriterionResult result) => result switch
    {
        CriterionResult.Match => okReason,
        CriterionResult.Unauthenticated => PolicyReasons.UserUnauthenticated,
        _ => failReason,
    };

    protected static CriterionResult Of(bool matched) => matched ? CriterionResult.Match : CriterionResult.NoMatch;
}

/// <summary>A criterion that needs a signed-in user; without one it is <see cref="CriterionResult.Unauthenticated"/>.</summary>
internal abstract class SessionCriterion(string path, string okReason, string failReason)
    : Criterion(path, okReason, failReason)
{
    public sealed override CriterionResult Evaluate(PolicyInput input) =>
        input.Authenticated ? Of(MatchesUser(input)) : CriterionResult.Unauthenticated;

    protected abstract bool MatchesUser(PolicyInput input);
}
