using System.Globalization;
using System.Text;

namespace Gateway.Ssh;

/// <summary>
/// Text that came from a peer (user names, version strings, forward addresses, key comments,
/// disconnect and failure descriptions) made safe for a log line, a status stream or a page:
/// control and formatting characters are escaped, so a peer cannot end a log line, forge the next
/// one or send terminal escapes (CR, LF, ESC, bidirectional overrides), and the length is
/// bounded, so a 256 KiB user name costs one short line.
/// </summary>
public static class PeerText
{
    /// <summary>Characters of the peer's text kept by default; longer text ends with an ellipsis.</summary>
    public const int DefaultMaxLength = 128;

    public static string Sanitize(string? text, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (string.IsNullOrEmpty(text)) return "";
        var truncated = text.Length > maxLength;
        var kept = truncated ? text.AsSpan(0, maxLength) : text.AsSpan();
        if (!truncated && !NeedsEscaping(kept)) return text;
        var builder = new StringBuilder(kept.Length + 8);
        for (var i = 0; i < kept.Length; i++)
        {
            var c = kept[i];
            if (char.IsHighSurrogate(c) && i + 1 < kept.Length && char.IsLowSurrogate(kept[i + 1]))
            {
                builder.Append(c).Append(kept[++i]);
                continue;
            }
            if (!IsEscaped(c))
                builder.Append(c);
            else if (c < 0x100)
                builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        if (truncated) builder.Append('…');
        return builder.ToString();
    }

    /// <summary>Latin-1 bytes from the wire (e.g. a name list) sanitized the same way.</summary>
    public static string Sanitize(ReadOnlySpan<byte> latin1, int maxLength = DefaultMaxLength) =>
        Sanitize(Encoding.Latin1.GetString(latin1[..Math.Min(latin1.Length, maxLength + 1)]), maxLength);

    private static bool NeedsEscaping(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
            if (IsEscaped(c)) return true;
        return false;
    }

    /// <summary>
    /// C0 and C1 controls, DEL, line and paragraph separators, bidirectional and other format
    /// characters, and surrogates (a valid pair is kept whole by the caller; a lone one, which
    /// some log sinks reject or mangle, is escaped).
    /// </summary>
    private static bool IsEscaped(char c) =>
        char.IsControl(c)
        || char.IsSurrogate(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
