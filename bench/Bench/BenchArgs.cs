using System.Globalization;

namespace Gateway.Bench;

/// <summary>"--name value" pairs; every option a subcommand reads is required unless it gives a default.</summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static BenchArgs Parse(IEnumerable<string> args)
    {
        var parsed = new BenchArgs();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"expected --option, got {name}");
            if (!e.MoveNext()) throw new ArgumentException($"{name} needs a value");
            parsed._values[name[2..]] = e.Current;
        }
        return parsed;
    }

    public string Get(string name, string? fallback = null)
        => _values.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");

    public int GetInt(string name, int? fallback = null)
        => _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture)
            : fallback ?? throw new ArgumentException($"--{name} is required");

    public double GetDouble(string name, double? fallback = null)
        => _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture)
            : fallback ?? throw new ArgumentException($"--{name} is required");
}
