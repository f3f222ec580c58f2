namespace Gateway.Policy.Matchers;

/// <summary>Compiles matcher data (a bare literal or an operator object) into matcher objects.</summary>
internal static class MatcherParser
{
    private const string StringOperators = "is, contains, starts_with, ends_with, in, not_in, not";
    private const string ListOperators = "has, is, exclude";

    /// <summary>
    /// String matcher. A bare literal means <c>is</c>. <paramref name="scalarsAsStrings"/> lets
    /// bool/number literals stand for their text (claims); elsewhere only strings are accepted.
    /// </summary>
    public static StringMatcher ParseString(object? data, string path, bool scalarsAsStrings = false)
    {
        if (data is not IReadOnlyDictionary<string, object?> obj)
            return new IsStringMatcher(Literal(data, path, scalarsAsStrings));

        if (obj.Count == 0)
            throw new PolicyParseException(path, $"empty matcher: expected one of {StringOperators}");

        var parts = new List<StringMatcher>(obj.Count);
        foreach (var (op, value) in obj)
        {
            var opPath = PolicyTree.Child(path, op);
            parts.Add(op switch
            {
                "is" => new IsStringMatcher(Literal(value, opPath, scalarsAsStrings)),
                "not" => new NotStringMatcher(Literal(value, opPath, scalarsAsStrings)),
                "contains" => new ContainsStringMatcher(Literal(value, opPath, scalarsAsStrings)),
                "starts_with" => new StartsWithStringMatcher(Literal(value, opPath, scalarsAsStrings)),
                "ends_with" => new EndsWithStringMatcher(Literal(value, opPath, scalarsAsStrings)),
                "in" => new InStringMatcher(LiteralList(value, opPath, scalarsAsStrings), negated: false),
                "not_in" => new InStringMatcher(LiteralList(value, opPath, scalarsAsStrings), negated: true),
                _ => throw new PolicyParseException(opPath, $"unknown string matcher operator \"{op}\" (expected {StringOperators})"),
            });
        }
        return parts.Count == 1 ? parts[0] : new AllStringMatcher(parts.ToArray());
    }

    /// <summary>String-list matcher. A bare literal means <c>has</c>.</summary>
    public static ListMatcher ParseList(object? data, string path)
    {
        if (data is not IReadOnlyDictionary<string, object?> obj)
            return new HasListMatcher(Literal(data, path, scalarsAsStrings: true));

        if (obj.Count == 0)
            throw new PolicyParseException(path, $"empty matcher: expected one of {ListOperators}");

        var parts = new List<ListMatcher>(obj.Count);
        foreach (var (op, value) in obj)
        {
            var opPath = PolicyTree.Child(path, op);
            parts.Add(op switch
            {
                "has" => new HasListMatcher(Literal(value, opPath, scalarsAsStrings: true)),
                "is" => new IsListMatcher(Literal(value, opPath, scalarsAsStrings: true)),
                "exclude" => new ExcludeListMatcher(Literal(value, opPath, scalarsAsStrings: true)),
                _ => throw new PolicyParseException(opPath, $"unknown string list matcher operator \"{op}\" (expected {ListOperators})"),
            });
        }
        return parts.Count == 1 ? parts[0] : new AllListMatcher(parts.ToArray());
    }

    private static string Literal(object? value, string path, bool scalarsAsStrings) =>
        scalarsAsStrings ? PolicyTree.ScalarAsString(value, path) : PolicyTree.RequireString(value, path);

    private static string[] LiteralList(object? value, string path, bool scalarsAsStrings)
    {
        if (value is not IReadOnlyList<object?> list || value is string)
            throw PolicyTree.TypeError(path, "a list of strings", value);
        var result = new string[list.Count];
        for (var i = 0; i < list.Count; i++)
            result[i] = Literal(list[i], PolicyTree.Index(path, i), scalarsAsStrings);
        return result;
    }
}
