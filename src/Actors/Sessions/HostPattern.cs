namespace Gateway.Actors.Sessions;

/// <summary>
/// The host part of a <c>tcpip-forward</c> request, interpreted as the gateway documents it:
/// for dynamic requests (port 0) a case-insensitive glob with OpenSSH's <c>*</c> and <c>?</c>
/// (anchored; <c>""</c>, any run of <c>*</c>, and <c>localhost</c> match every route); for static
/// requests an exact, case-sensitive name.
/// </summary>
public sealed class HostPattern
{
    private HostPattern(string text, bool isGlob)
    {
        Text = text;
        IsGlob = isGlob;
        MatchesEverything = isGlob && (text.Length == 0 || text.All(c => c == '*') || string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase));
        Normalized = isGlob ? CollapseStars(text).ToLowerInvariant() : text;
    }

    /// <summary>The pattern exactly as the client sent it; echoed in forwarded-tcpip opens.</summary>
    public string Text { get; }
    public bool IsGlob { get; }
    public bool MatchesEverything { get; }

    /// <summary>Canonical form for equivalence: <c>foo*</c> and <c>foo**</c> are the same pattern.</summary>
    private string Normalized { get; }

    /// <summary>Whether the pattern contains a wildcard character (<c>*</c> or <c>?</c>) or is empty.</summary>
    public bool HasWildcard => Text.Length == 0 || Text.Contains('*') || Text.Contains('?');

    public static HostPattern Glob(string text) => new(text, isGlob: true);
    public static HostPattern Exact(string text) => new(text, isGlob: false);

    public bool Matches(string hostname)
    {
        if (!IsGlob) return string.Equals(Text, hostname, StringComparison.Ordinal);
        if (MatchesEverything) return true;
        return Gateway.Ssh.WildcardPattern.Matches(Normalized, hostname.ToLowerInvariant());
    }

    /// <summary>Two patterns are the same request when both match everything or their canonical forms agree.</summary>
    public bool IsEquivalentTo(HostPattern other)
    {
        if (IsGlob != other.IsGlob) return false;
        if (!IsGlob) return Text == other.Text;
        return (MatchesEverything && other.MatchesEverything) || Normalized == other.Normalized;
    }

    private static string CollapseStars(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '*' && builder.Length > 0 && builder[^1] == '*') continue;
            builder.Append(c);
        }
        return builder.ToString();
    }

    public override string ToString() => Text;
}
