using Gateway.Policy.Matchers;

namespace Gateway.Policy.Criteria;

/// <summary><c>http_method</c>: false when there is no request (SSH evaluation).</summary>
internal sealed class HttpMethodCriterion(string path, StringMatcher matcher)
    : Criterion(path, PolicyReasons.HttpMethodOk, PolicyReasons.HttpMethodUnauthorized)
{
    public override CriterionResult Evaluate(PolicyInput input) =>
        Of(input.HttpMethod is { } method && matcher.Matches(method));
}

/// <summary><c>http_path</c>: false when there is no request (SSH evaluation).</summary>
internal sealed class HttpPathCriterion(string path, StringMatcher matcher)
    : Criterion(path, PolicyReasons.HttpPathOk, PolicyReasons.HttpPathUnauthorized)
{
    public override CriterionResult Evaluate(PolicyInput input) =>
        Of(input.HttpPath is { } requestPath && matcher.Matches(requestPath));
}
