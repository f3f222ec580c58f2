using System.Globalization;

namespace Gateway.Policy;

/// <summary>
/// A PPL policy exactly as written (JSON-like tree), kept raw so the policy layer owns the
/// language. Keys keep their order; equality is structural so compiled-policy caches can use it.
/// </summary>
public abstract record PolicyNode
{
    private PolicyNode()
    {
    }

    /// <summary>Where this node sits in the config file, e.g. <c>routes[0].policy.allow.or[1]</c>.</summary>
    public string Path { get; init; } = "";

    public sealed record Object(IReadOnlyList<(string Key, PolicyNode Value)> Entries) : PolicyNode
    {
        public PolicyNode? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;

        public bool Equals(Object? other) =>
            other is not null && Entries.Count == other.Entries.Count
            && Entries.Zip(other.Entries).All(p => p.First.Key == p.Second.Key && p.First.Value.Equals(p.Second.Value));

        public override int GetHashCode() => Entries.Aggregate(17, (h, e) => HashCode.Combine(h, e.Key, e.Value));

        public override string ToString() => "{" + string.Join(", ", Entries.Select(e => $"{e.Key}: {e.Value}")) + "}";
    }

    public sealed record List(IReadOnlyList<PolicyNode> Items) : PolicyNode
    {
        public bool Equals(List? other) =>
            other is not null && Items.Count == other.Items.Count && Items.SequenceEqual(other.Items);

        public override int GetHashCode() => Items.Aggregate(19, HashCode.Combine);

        public override string ToString() => "[" + string.Join(", ", Items) + "]";
    }

    /// <summary>
    /// A leaf. HOCON does not tell quoted from unquoted text, so <see cref="Kind"/> is inferred
    /// from the text ("true"/"false" are booleans, invariant-culture numbers are numbers);
    /// <see cref="Text"/> is always the text as written, which is what string matchers should use.
    /// </summary>
    public sealed record Scalar(string Text, ScalarKind Kind) : PolicyNode
    {
        public static Scalar FromText(string text)
        {
            if (text is "true" or "false")
                return new Scalar(text, ScalarKind.Bool);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                return new Scalar(text, ScalarKind.Number);
            return new Scalar(text, ScalarKind.String);
        }

        public bool? AsBool() => Kind == ScalarKind.Bool ? Text == "true" : null;

        public double? AsNumber() =>
            Kind == ScalarKind.Number ? double.Parse(Text, NumberStyles.Float, CultureInfo.InvariantCulture) : null;

        public bool Equals(Scalar? other) => other is not null && Text == other.Text && Kind == other.Kind;

        public override int GetHashCode() => HashCode.Combine(Text, Kind);

        public override string ToString() => Kind == ScalarKind.String ? $"\"{Text}\"" : Text;
    }
}

public enum ScalarKind
{
    String,
    Bool,
    Number,
}
