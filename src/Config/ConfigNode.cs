using Akka.Configuration.Hocon;

namespace Gateway.Config;

/// <summary>
/// The parsed HOCON tree in a shape that is easy to validate: ordered keys, list items,
/// and the key path of every node for error messages. Akka's own tree mixes whitespace
/// literals, substitutions and concatenations into each value; that is flattened here once.
/// </summary>
internal abstract class ConfigNode
{
    protected ConfigNode(string path) => Path = path;

    public string Path { get; }

    /// <summary>What a type error calls this node ("an object", "a list", "the string \"x\"").</summary>
    public abstract string Describe();

    public static string ChildPath(string parent, string key)
    {
        var needsQuotes = key.Length == 0 || key.Any(c => !(char.IsLetterOrDigit(c) || c is '_' or '-' or '/'));
        var part = needsQuotes ? "\"" + key.Replace("\"", "\\\"") + "\"" : key;
        return parent.Length == 0 ? part : parent + "." + part;
    }

    public static string IndexPath(string parent, int index) => $"{parent}[{index}]";

    // HOCON allows cycles through substitutions; a bound keeps a hostile file from
    // overflowing the stack.
    private const int MaxDepth = 64;

    public static ConfigNode FromHocon(HoconValue? value, string path, int depth = 0)
    {
        if (value is null)
            return new ScalarNode(path, null);
        if (depth > MaxDepth)
            return new ScalarNode(path, null, tooDeep: true);

        var elements = new List<IHoconElement>();
        Flatten(value, elements, 0);

        var objects = elements.OfType<HoconObject>().ToList();
        if (objects.Count > 0)
        {
            var entries = new List<KeyValuePair<string, ConfigNode>>();
            foreach (var obj in objects)
            {
                foreach (var (key, child) in obj.Items)
                {
                    var node = FromHocon(child, ChildPath(path, key), depth + 1);
                    var existing = entries.FindIndex(e => e.Key == key);
                    if (existing >= 0)
                        entries[existing] = new(key, node);
                    else
                        entries.Add(new(key, node));
                }
            }
            return new ObjectNode(path, entries);
        }

        var arrays = elements.OfType<HoconArray>().ToList();
        if (arrays.Count > 0)
        {
            var items = new List<ConfigNode>();
            foreach (var item in arrays.SelectMany(a => a.GetArray()))
                items.Add(FromHocon(item, IndexPath(path, items.Count), depth + 1));
            return new ListNode(path, items);
        }

        var literals = elements.OfType<HoconLiteral>().ToList();
        var meaningful = literals.Where(l => !string.IsNullOrWhiteSpace(l.Value)).ToList();
        if (meaningful.Count == 1 && meaningful[0].Value == "null")
            return new ScalarNode(path, null);
        if (literals.Count == 0)
            return new ScalarNode(path, null);
        var text = string.Concat(literals.Select(l => l.Value)).Trim();
        return new ScalarNode(path, text);
    }

    private static void Flatten(HoconValue value, List<IHoconElement> into, int depth)
    {
        if (depth > MaxDepth)
            return;
        foreach (var element in value.Values)
        {
            if (element is HoconSubstitution substitution)
            {
                if (substitution.ResolvedValue is { } resolved)
                    Flatten(resolved, into, depth + 1);
            }
            else
            {
                into.Add(element);
            }
        }
    }
}

internal sealed class ObjectNode : ConfigNode
{
    public ObjectNode(string path, IReadOnlyList<KeyValuePair<string, ConfigNode>> entries) : base(path)
        => Entries = entries;

    public IReadOnlyList<KeyValuePair<string, ConfigNode>> Entries { get; }

    public ConfigNode? Get(string key)
    {
        foreach (var entry in Entries)
            if (entry.Key == key)
                return entry.Value;
        return null;
    }

    public override string Describe() => "an object";
}

internal sealed class ListNode : ConfigNode
{
    public ListNode(string path, IReadOnlyList<ConfigNode> items) : base(path) => Items = items;

    public IReadOnlyList<ConfigNode> Items { get; }

    public override string Describe() => "a list";
}

internal sealed class ScalarNode : ConfigNode
{
    public ScalarNode(string path, string? text, bool tooDeep = false) : base(path)
    {
        Text = text;
        TooDeep = tooDeep;
    }

    /// <summary>The literal text; null for HOCON <c>null</c> or an unresolved optional substitution.</summary>
    public string? Text { get; }

    public bool TooDeep { get; }

    public bool IsNull => Text is null;

    public override string Describe() => IsNull ? "null" : $"\"{Text}\"";
}
