namespace Gateway.Policy.Matchers;

/// <summary>A compiled PPL string-list matcher (groups, claims).</summary>
internal abstract class ListMatcher
{
    public abstract bool Matches(IReadOnlyList<string> values);

    protected static bool Contains(IReadOnlyList<string> values, string expected)
    {
        // Indexed loop: no enumerator allocation through the interface.
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], expected, StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}

/// <summary><c>has</c>: the list contains the value.</summary>
internal sealed class HasListMatcher(string expected) : ListMatcher
{
    public override bool Matches(IReadOnlyList<string> values) => Contains(values, expected);
}

/// <summary><c>is</c>: the list is exactly the one value (Pomerium: count == 1 and has).</summary>
internal sealed class IsListMatcher(string expected) : ListMatcher
{
    public override bool Matches(IReadOnlyList<string> values) => values.Count == 1 && Contains(values, expected);
}

/// <summary><c>exclude</c>: the list does not contain the value.</summary>
internal sealed class ExcludeListMatcher(string excluded) : ListMatcher
{
    public override bool Matches(IReadOnlyList<string> values) => !Contains(values, excluded);
}

internal sealed class AllListMatcher(ListMatcher[] parts) : ListMatcher
{
    public override bool Matches(IReadOnlyList<string> values)
    {
        foreach (var part in parts)
        {
            if (!part.Matches(values))
                return false;
        }
        return true;
    }
}
