
namespace Gateway.Policy;

/// <summary>Compiles a policy as the config loader read it (<see cref="PolicyNode"/>) into a <see cref="CompiledPolicy"/>.</summary>
public static class PolicyCompiler
{
    /// <summary>An absent policy admits nobody.</summary>
    /// <exception cref="PolicyParseException">naming the key path under <paramref name="path"/>.</exception>
    public static CompiledPolicy Compile(PolicyNode? node, string path)
        => node is null ? CompiledPolicy.DenyAll : PolicyParser.Parse(ToPlainTree(node), path);

    private static object? ToPlainTree(PolicyNode node) => node switch
    {
        PolicyNode.Object o => o.Entries.ToDictionary(e => e.Key, e => ToPlainTree(e.Value)) as IReadOnlyDictionary<string, object?>,
        PolicyNode.List l => l.Items.Select(ToPlainTree).ToList() as IReadOnlyList<object?>,
        PolicyNode.Scalar { Kind: ScalarKind.Bool } s => s.AsBool(),
        PolicyNode.Scalar { Kind: ScalarKind.Number } s => s.AsNumber(),
        PolicyNode.Scalar s => s.Text,
        _ => null,
    };
}
