using Gateway.Policy.Criteria;

namespace Gateway.Policy;

/// <summary>
/// Compiles Pomerium Policy Language into a <see cref="CompiledPolicy"/>.
/// Input is a tree of plain objects: <c>IReadOnlyDictionary&lt;string, object?&gt;</c>,
/// <c>IReadOnlyList&lt;object?&gt;</c>, string, bool, long/double (or JSON text via <see cref="ParseJson"/>).
/// Every error is a <see cref="PolicyParseException"/> naming the path of the bad node.
/// </summary>
public static class PolicyParser
{
    /// <summary>
    /// Parses a policy tree. <paramref name="basePath"/> prefixes every error path, so a config
    /// loader can pass e.g. <c>routes[2].upstream_tunnel.ssh_policy</c>. Null means no policy (admits nobody).
    /// </summary>
    public static CompiledPolicy Parse(object? tree, string basePath = "")
    {
        ArgumentNullException.ThrowIfNull(basePath);
        var allow = new List<PolicyConditional>();
        var deny = new List<PolicyConditional>();
        switch (tree)
        {
            case null:
                return CompiledPolicy.DenyAll;
            case IReadOnlyDictionary<string, object?> rule:
                ParseRule(rule, basePath, allow, deny);
                break;
            case IReadOnlyList<object?> rules:
                for (var i = 0; i < rules.Count; i++)
                {
                    var rulePath = PolicyTree.Index(basePath, i);
                    if (rules[i] is not IReadOnlyDictionary<string, object?> item)
                        throw PolicyTree.TypeError(rulePath, "a rule object with \"allow\" and/or \"deny\"", rules[i]);
                    ParseRule(item, rulePath, allow, deny);
                }
                break;
            default:
                throw PolicyTree.TypeError(basePath, "a rule object or a list of rules", tree);
        }
        return allow.Count == 0 && deny.Count == 0 ? CompiledPolicy.DenyAll : new CompiledPolicy(allow.ToArray(), deny.ToArray());
    }

    /// <summary>Parses a policy given as JSON text. Empty or whitespace text, or <c>null</c>, means no policy.</summary>
    public static CompiledPolicy ParseJson(string json, string basePath = "")
    {
        ArgumentNullException.ThrowIfNull(json);
        if (string.IsNullOrWhiteSpace(json))
            return CompiledPolicy.DenyAll;
        return Parse(JsonTree.Read(json, basePath), basePath);
    }

    private static void ParseRule(IReadOnlyDictionary<string, object?> rule, string path,
        List<PolicyConditional> allow, List<PolicyConditional> deny)
    {
        foreach (var (action, body) in rule)
        {
            var actionPath = PolicyTree.Child(path, action);
            var target = action switch
            {
                "allow" => allow,
                "deny" => deny,
                _ => throw new PolicyParseException(actionPath, $"unknown action \"{action}\" (expected allow or deny)"),
            };
            if (body is not IReadOnlyDictionary<string, object?> operators)
                throw PolicyTree.TypeError(actionPath, "an object with and, or, not or nor", body);
            foreach (var (op, list) in operators)
            {
                var opPath = PolicyTree.Child(actionPath, op);
                var kind = op switch
                {
                    "and" => ConditionalKind.And,
                    "or" => ConditionalKind.Or,
                    "not" => ConditionalKind.Not,
                    "nor" => ConditionalKind.Nor,
                    _ => throw new PolicyParseException(opPath, $"unknown operator \"{op}\" (expected and, or, not, nor)"),
                };
                var criteria = ParseCriteria(list, opPath);
                // Pomerium skips empty lists: they neither allow nor deny anything.
                if (criteria.Length > 0)
                    target.Add(new PolicyConditional(kind, criteria));
            }
        }
    }

    private static Criterion[] ParseCriteria(object? list, string path)
    {
        if (list is not IReadOnlyList<object?> items)
            throw PolicyTree.TypeError(path, "a list of criteria", list);
        var criteria = new Criterion[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = PolicyTree.Index(path, i);
            if (items[i] is not IReadOnlyDictionary<string, object?> criterion)
                throw PolicyTree.TypeError(itemPath, "a criterion object such as {\"email\": \"...\"}", items[i]);
            if (criterion.Count != 1)
                throw new PolicyParseException(itemPath, $"a criterion must have exactly one key, got {criterion.Count}");
            var (key, data) = criterion.First();
            criteria[i] = CriterionFactory.Create(key, data, PolicyTree.Child(itemPath, key));
        }
        return criteria;
    }
}
