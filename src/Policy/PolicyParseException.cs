namespace Gateway.Policy;

/// <summary>
/// A policy could not be compiled. <see cref="Path"/> names the offending node
/// (e.g. <c>allow.or[1].emial</c>) so config errors can point at the exact key.
/// </summary>
public sealed class PolicyParseException : Exception
{
    public PolicyParseException(string path, string detail)
        : base(path.Length == 0 ? detail : $"{path}: {detail}")
    {
        Path = path;
        Detail = detail;
    }

    /// <summary>Path of the offending node, relative to the base path given to the parser.</summary>
    public string Path { get; }

    /// <summary>What was wrong, without the path.</summary>
    public string Detail { get; }
}
