namespace Gateway.Contracts.Policy.Matchers;

/// <summary>
/// A compiled PPL string matcher. Comparisons are ordinal and case-sensitive, as Rego's
/// built-ins are in Pomerium.
/// </summary>
internal abstract class StringMatcher
{
    public abstract bool Matches(string value);
}

internal sealed class IsStringMatcher(string expected) : StringMatcher
{
    public override bool Matches(string value) => string.Equals(value, expected, StringComparison.Ordinal);
}

internal sealed class NotStringMatcher(string excluded) : StringMatcher
{
    public override bool Matches(string value) => !string.Equals(value, excluded, StringComparison.Ordinal);
}

internal sealed class ContainsStringMatcher(string part) : StringMatcher
{
    public override bool Matches(string value) => value.Contains(part, StringComparison.Ordinal);
}

internal sealed class StartsWithStringMatcher(string prefix) : StringMatcher
{
    public override bool Matches(string value) => value.StartsWith(prefix, StringComparison.Ordinal);
}

internal sealed class EndsWithStringMatcher(string suffix) : StringMatcher
{
    public override bool Matches(string value) => value.EndsWith(suffix, StringComparison.Ordinal);
}

/// <summary><c>in</c> (member of the list) or, negated, <c>not_in</c>.</summary>
internal sealed class InStringMatcher(string[] candidates, bool negated) : StringMatcher
{
    public override bool Matches(string value)
    {
        var found = false;
        foreach (var candidate in candidates)
        {
            if (string.Equals(value, candidate, StringComparison.Ordinal))
            {
                found = true;
                break;
            }
        }
        return found != negated;
    }
}

/// <summary>Several operators in one matcher object must all hold (Pomerium appends them to one rule body).</summary>
internal sealed class AllStringMatcher(StringMatcher[] parts) : StringMatcher
{
    public override bool Matches(string value)
    {
        foreach (var part in parts)
        {
            if (!part.Matches(value))
                return false;
        }
        return true;
    }
}
