namespace Gateway.Config;

/// <summary>One thing wrong with the configuration: where (a key path such as
/// <c>routes[2].to[0]</c>, a flag such as <c>--address</c> or an environment variable) and what.</summary>
public sealed record ConfigProblem(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// Thrown once at start with every problem found, so an operator fixes the file in one pass
/// instead of discovering errors one restart at a time.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string source, IReadOnlyList<ConfigProblem> problems)
        : base(Format(source, problems))
    {
        Source = source;
        Problems = problems;
    }

    /// <summary>Where the configuration came from (a file path or "embedded config.hocon").</summary>
    public new string Source { get; }

    public IReadOnlyList<ConfigProblem> Problems { get; }

    private static string Format(string source, IReadOnlyList<ConfigProblem> problems)
    {
        var noun = problems.Count == 1 ? "problem" : "problems";
        var lines = problems.Select(p => "  - " + p);
        return $"invalid configuration ({source}): {problems.Count} {noun}:{Environment.NewLine}"
               + string.Join(Environment.NewLine, lines);
    }
}
