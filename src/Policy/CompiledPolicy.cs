namespace Gateway.Policy;

/// <summary>
/// A parsed PPL policy, immutable and thread-safe. All allow lists are OR-merged, all deny lists
/// are OR-merged, and the result is <c>allow &amp;&amp; !deny</c>. No allow list: nobody is admitted.
/// </summary>
public sealed class CompiledPolicy
{
    private readonly PolicyConditional[] _allow;
    private readonly PolicyConditional[] _deny;

    internal CompiledPolicy(PolicyConditional[] allow, PolicyConditional[] deny)
    {
        _allow = allow;
        _deny = deny;
    }

    /// <summary>The policy that admits nobody (absent or empty policy).</summary>
    public static CompiledPolicy DenyAll { get; } = new([], []);

    /// <summary>True when the policy has no allow rule, so it can never admit anyone.</summary>
    public bool AdmitsNobody => _allow.Length == 0;

    /// <summary>Decision only; allocates nothing. Use on hot paths.</summary>
    public bool Allows(PolicyInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var allowed = false;
        foreach (var conditional in _allow)
        {
            if (conditional.Holds(input))
            {
                allowed = true;
                break;
            }
        }
        if (!allowed)
            return false;
        foreach (var conditional in _deny)
        {
            if (conditional.Holds(input))
                return false;
        }
        return true;
    }

    /// <summary>Decision with the criteria that decided it.</summary>
    public PolicyDecision Evaluate(PolicyInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var scratch = new List<string>();
        // Deny first so an explicit deny is reported even when no allow matched either.
        foreach (var conditional in _deny)
        {
            scratch.Clear();
            if (conditional.Explain(input, scratch))
                return new PolicyDecision(PolicyOutcome.DeniedByRule, scratch.ToArray());
        }

        if (_allow.Length == 0)
            return new PolicyDecision(PolicyOutcome.NoAllowRules, [PolicyReasons.NoAllowRules]);

        var failures = new List<string>();
        foreach (var conditional in _allow)
        {
            scratch.Clear();
            if (conditional.Explain(input, scratch))
                return new PolicyDecision(PolicyOutcome.Allowed, scratch.ToArray());
            failures.AddRange(scratch);
        }
        return new PolicyDecision(PolicyOutcome.NotAllowed, failures.ToArray());
    }
}
