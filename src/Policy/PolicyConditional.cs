using Gateway.Policy.Criteria;

namespace Gateway.Policy;

/// <summary>The four PPL logical operators, with Pomerium's (not textbook) meaning.</summary>
internal enum ConditionalKind : byte
{
    /// <summary>Every criterion matches.</summary>
    And,
    /// <summary>At least one criterion matches.</summary>
    Or,
    /// <summary>No criterion matches: (NOT A) AND (NOT B).</summary>
    Not,
    /// <summary>At least one criterion does not match: (NOT A) OR (NOT B).</summary>
    Nor,
}

/// <summary>One non-empty <c>and</c>/<c>or</c>/<c>not</c>/<c>nor</c> list of an allow or deny block.</summary>
internal sealed class PolicyConditional(ConditionalKind kind, Criterion[] criteria)
{
    public ConditionalKind Kind { get; } = kind;

    /// <summary>Fast path: short-circuits, allocates nothing.</summary>
    public bool Holds(PolicyInput input)
    {
        switch (Kind)
        {
            case ConditionalKind.And:
                foreach (var c in criteria)
                    if (c.Evaluate(input) != CriterionResult.Match) return false;
                return true;
            case ConditionalKind.Or:
                foreach (var c in criteria)
                    if (c.Evaluate(input) == CriterionResult.Match) return true;
                return false;
            case ConditionalKind.Not:
                foreach (var c in criteria)
                    if (c.Evaluate(input) == CriterionResult.Match) return false;
                return true;
            default:
                foreach (var c in criteria)
                    if (c.Evaluate(input) != CriterionResult.Match) return true;
                return false;
        }
    }

    /// <summary>
    /// Same result as <see cref="Holds"/>, and appends the criteria that decided it as
    /// "path: reason": for a true result the criteria that made it true, for a false result
    /// the ones that made it false.
    /// </summary>
    public bool Explain(PolicyInput input, List<string> reasons)
    {
        // "Positive" operators succeed on matches, negated ones on non-matches.
        var wanted = Kind is ConditionalKind.And or ConditionalKind.Or;
        // and/not need every criterion to be as wanted; or/nor need just one.
        var needsAll = Kind is ConditionalKind.And or ConditionalKind.Not;
        var start = reasons.Count;
        foreach (var c in criteria)
        {
            var result = c.Evaluate(input);
            var asWanted = (result == CriterionResult.Match) == wanted;
            if (needsAll && !asWanted)
            {
                reasons.RemoveRange(start, reasons.Count - start);
                reasons.Add(Describe(c, result));
                return false;
            }
            if (!needsAll && asWanted)
            {
                reasons.RemoveRange(start, reasons.Count - start);
                reasons.Add(Describe(c, result));
                return true;
            }
            reasons.Add(Describe(c, result));
        }
        return needsAll;
    }

    private static string Describe(Criterion c, CriterionResult result) => c.Path + ": " + c.ReasonFor(result);
}
