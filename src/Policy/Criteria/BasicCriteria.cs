namespace Gateway.Policy.Criteria;

/// <summary><c>accept</c>: always true; its data is ignored, as in Pomerium.</summary>
internal sealed class AcceptCriterion(string path) : Criterion(path, PolicyReasons.Accept, PolicyReasons.Accept)
{
    public override CriterionResult Evaluate(PolicyInput input) => CriterionResult.Match;
}

/// <summary><c>reject</c>: always false; its data is ignored.</summary>
internal sealed class RejectCriterion(string path) : Criterion(path, PolicyReasons.Reject, PolicyReasons.Reject)
{
    public override CriterionResult Evaluate(PolicyInput input) => CriterionResult.NoMatch;
}

/// <summary><c>authenticated_user</c>: any signed-in user; its data is ignored.</summary>
internal sealed class AuthenticatedUserCriterion(string path)
    : Criterion(path, PolicyReasons.UserOk, PolicyReasons.UserUnauthenticated)
{
    public override CriterionResult Evaluate(PolicyInput input) =>
        input.Authenticated ? CriterionResult.Match : CriterionResult.Unauthenticated;
}
