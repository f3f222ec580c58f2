using Gateway.Policy.Matchers;
using Gateway.Ssh.Keys;

namespace Gateway.Policy.Criteria;

/// <summary><c>ssh_username</c>: string matcher over the SSH login username; false without SSH.</summary>
internal sealed class SshUsernameCriterion(string path, StringMatcher matcher)
    : Criterion(path, PolicyReasons.SshUsernameOk, PolicyReasons.SshUsernameUnauthorized)
{
    public override CriterionResult Evaluate(PolicyInput input) =>
        Of(input.SshUsername is { } username && matcher.Matches(username));
}

/// <summary>
/// <c>ssh_username_matches_email</c>: the SSH username equals <c>split(email, "@")[0]</c>, the text
/// before the first '@' (the whole email if it has none). Needs a session; data is ignored.
/// </summary>
internal sealed class SshUsernameMatchesEmailCriterion(string path)
    : SessionCriterion(path, PolicyReasons.SshUsernameOk, PolicyReasons.SshUsernameUnauthorized)
{
    protected override bool MatchesUser(PolicyInput input)
    {
        if (input.SshUsername is not { } username || input.Email is not { } email)
            return false;
        var at = email.IndexOf('@');
        var local = at < 0 ? email.AsSpan() : email.AsSpan(0, at);
        return username.AsSpan().SequenceEqual(local);
    }
}

/// <summary><c>ssh_username_matches_claim</c>: the SSH username is one of the named claim's values. Needs a session.</summary>
internal sealed class SshUsernameMatchesClaimCriterion(string path, string claimName)
    : SessionCriterion(path, PolicyReasons.SshUsernameOk, PolicyReasons.SshUsernameUnauthorized)
{
    protected override bool MatchesUser(PolicyInput input)
    {
        if (input.SshUsername is not { } username)
            return false;
        var values = ClaimCriterion.ClaimValues(input, claimName);
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], username, StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}

/// <summary><c>ssh_publickey</c>: the client's key is one of the listed keys (same blob; options and comments never count).</summary>
internal sealed class SshPublicKeyCriterion(string path, AuthorizedKey[] keys)
    : Criterion(path, PolicyReasons.SshPublicKeyOk, PolicyReasons.SshPublicKeyUnauthorized)
{
    public override CriterionResult Evaluate(PolicyInput input) => Of(AnyMatches(keys, input.SshPublicKey));

    public static bool AnyMatches(AuthorizedKey[] keys, SshPublicKey? candidate)
    {
        foreach (var key in keys)
        {
            if (key.Matches(candidate))
                return true;
        }
        return false;
    }
}

/// <summary>
/// <c>ssh_ca</c>: the client authenticated with a user certificate signed by one of the listed CAs.
/// Certificate verification (signature, validity, principal) is the SSH layer's job; it reports the
/// verified CA in <see cref="PolicyInput.SshCaPublicKey"/>.
/// </summary>
internal sealed class SshCaCriterion(string path, AuthorizedKey[] authorities)
    : Criterion(path, PolicyReasons.SshPublicKeyOk, PolicyReasons.SshPublicKeyUnauthorized)
{
    public override CriterionResult Evaluate(PolicyInput input) => Of(SshPublicKeyCriterion.AnyMatches(authorities, input.SshCaPublicKey));
}
