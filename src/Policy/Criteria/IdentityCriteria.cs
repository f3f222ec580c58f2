using Gateway.Policy.Matchers;

namespace Gateway.Policy.Criteria;

/// <summary><c>email</c>: string matcher over the user's email.</summary>
internal sealed class EmailCriterion(string path, StringMatcher matcher)
    : SessionCriterion(path, PolicyReasons.EmailOk, PolicyReasons.EmailUnauthorized)
{
    protected override bool MatchesUser(PolicyInput input) => input.Email is { } email && matcher.Matches(email);
}

/// <summary><c>user</c>: string matcher over the user id.</summary>
internal sealed class UserCriterion(string path, StringMatcher matcher)
    : SessionCriterion(path, PolicyReasons.UserOk, PolicyReasons.UserUnauthorized)
{
    protected override bool MatchesUser(PolicyInput input) => input.UserId is { } id && matcher.Matches(id);
}

/// <summary>
/// <c>domain</c>: string matcher over the email's domain. Pomerium takes
/// <c>split(email, "@")[1]</c>, i.e. the text between the first and second '@'; an email
/// without '@' has no domain and never matches.
/// </summary>
internal sealed class DomainCriterion(string path, StringMatcher matcher)
    : SessionCriterion(path, PolicyReasons.DomainOk, PolicyReasons.DomainUnauthorized)
{
    protected override bool MatchesUser(PolicyInput input)
    {
        if (input.Email is not { } email)
            return false;
        var at = email.IndexOf('@');
        if (at < 0)
            return false;
        var domain = email.AsSpan(at + 1);
        var nextAt = domain.IndexOf('@');
        return matcher.Matches(nextAt < 0 ? domain : domain[..nextAt]);
    }
}

/// <summary><c>groups</c>: string-list matcher over the user's groups; no groups = empty list.</summary>
internal sealed class GroupsCriterion(string path, ListMatcher matcher)
    : SessionCriterion(path, PolicyReasons.GroupsOk, PolicyReasons.GroupsUnauthorized)
{
    protected override bool MatchesUser(PolicyInput input) => matcher.Matches(input.Groups ?? Array.Empty<string>());
}

/// <summary><c>claim/&lt;name&gt;</c>: string-list matcher over one claim's values; a missing claim = empty list.</summary>
internal sealed class ClaimCriterion(string path, string claimName, ListMatcher matcher)
    : SessionCriterion(path, PolicyReasons.ClaimOk, PolicyReasons.ClaimUnauthorized)
{
    protected override bool MatchesUser(PolicyInput input) => matcher.Matches(ClaimValues(input, claimName));

    internal static IReadOnlyList<string> ClaimValues(PolicyInput input, string name) =>
        input.Claims is { } claims && claims.TryGetValue(name, out var values) && values is not null
            ? values
            : Array.Empty<string>();
}
