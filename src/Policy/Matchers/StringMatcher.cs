namespace Gateway.Policy.Matchers;

/// <summary>
/// A compiled PPL string matcher. Comparisons are ordinal and case-sensitive, as Rego's
/// built-ins are in Pomerium. Spans let callers match substrings (the email domain) without allocating.
/// </summary>
internal abstract class StringMatcher
{
    public abstract bool Matches(ReadOnlySpan<char> value);
}

internal sealed class IsStringMatcher(string expected) : StringMatcher
{
    public override bool Matches(ReadOnlySpan<char> value) => value.SequenceEqual(expected);
}

internal sealed class NotStringMatcher(string excluded) : StringMatcher
{
    public override bool Matches(ReadOnlySpan<char> value) => !value.SequenceEqual(excluded);
}

internal sealed class ContainsStringMatcher(string part) : StringMatcher
{
    public override bool Matches(ReadOnlySpan<char> value) => value.Contains(part.AsSpan(), StringComparison.Ordinal);
}

internal sealed class StartsWithStringMatcher(string prefix) : StringMatcher
{
    public override bool Matches(ReadOnlySpan<char> value) => value.StartsWith(prefix.AsSpan(), StringComparison.Ordinal);
}

internal sealed class EndsWithStringMatcher(string suffix) : StringMatcher
{
    public override bool Matches(ReadOnlySpan<char> value) => value.EndsWith(suffix.AsSpan(), StringComparison.Ordinal);
}

/// <summary><c>in</c> (member of the list) or, negated, <c>not_in</c>.</summary>
internal sealed class InStringMatcher(string[] candidates, bool negated) : StringMatcher
{
    public override bool Matches(ReadOnlySpan<char> value)
    {
        var found = false;
        foreach (var candidate in candidates)
        {
            if (value.SequenceEqual(candidate))
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
    public override bool Matches(ReadOnlySpan<char> value)
    {
        foreach (var part in parts)
        {
            if (!part.Matches(value))
                return false;
        }
        return true;
    }
}
