namespace Gateway.Ssh.Keys;

/// <summary>
/// Reads the options field that may open an authorized_keys line, as sshd(8) does: comma-separated
/// options, names matched without regard to case, values in double quotes with <c>\"</c> for a quote,
/// the field ending at the first space or tab outside quotes. Names and quoting are checked; the
/// values themselves are not interpreted here.
/// </summary>
internal static class AuthorizedKeyOptions
{
    /// <summary>sshd(8)'s options that stand alone.</summary>
    private static readonly string[] Flags =
    [
        "agent-forwarding", AuthorizedKeyOption.CertAuthority, "no-agent-forwarding", "no-port-forwarding", "no-pty",
        "no-touch-required", "no-user-rc", "no-X11-forwarding", "port-forwarding", "pty", "restrict", "user-rc",
        "verify-required", "X11-forwarding",
    ];

    /// <summary>sshd(8)'s options that take a quoted value.</summary>
    private static readonly string[] Valued =
        ["command", "environment", "expiry-time", "from", "permitlisten", "permitopen", "principals", "tunnel"];

    /// <summary>
    /// Reads options from the start of <paramref name="line"/>; <paramref name="length"/> is where the
    /// field ends (at a blank outside quotes, or the end of the line), even when an option is bad.
    /// </summary>
    public static bool TryRead(string line, out List<AuthorizedKeyOption> options, out int length, out string error)
    {
        options = [];
        var i = 0;
        while (i < line.Length && !IsBlank(line[i]))
        {
            var nameStart = i;
            while (i < line.Length && line[i] is not ('=' or ',') && !IsBlank(line[i]))
                i++;
            var written = line[nameStart..i];
            string? value = null;
            if (i < line.Length && line[i] == '=')
            {
                if (!TryReadQuoted(line, ref i, out value))
                {
                    (length, error) = (FieldEnd(line), $"the value of option \"{PeerText.Sanitize(written)}\" must be in double quotes, closed before the key type");
                    return false;
                }
            }
            var name = Canonical(written, value is not null);
            if (name is null)
            {
                (length, error) = (FieldEnd(line), DescribeBadName(written, value is not null));
                return false;
            }
            options.Add(new AuthorizedKeyOption(name, value));
            if (i < line.Length && line[i] == ',')
                i++;
            else if (i < line.Length && !IsBlank(line[i]))
            {
                (length, error) = (FieldEnd(line), $"expected ',' or a blank after option \"{name}\"");
                return false;
            }
        }
        (length, error) = (i, "");
        return true;
    }

    private static bool IsBlank(char c) => c is ' ' or '\t';

    private static int FieldEnd(string line)
    {
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (quoted && line[i] == '\\' && i + 1 < line.Length && line[i + 1] == '"')
                i++;
            else if (line[i] == '"')
                quoted = !quoted;
            else if (!quoted && IsBlank(line[i]))
                return i;
        }
        return line.Length;
    }

    /// <summary>At <c>=</c>: reads <c>="…"</c>, leaving <paramref name="i"/> after the closing quote.</summary>
    private static bool TryReadQuoted(string line, ref int i, out string? value)
    {
        value = null;
        if (i + 1 >= line.Length || line[i + 1] != '"')
            return false;
        var text = new System.Text.StringBuilder();
        for (var j = i + 2; j < line.Length; j++)
        {
            if (line[j] == '\\' && j + 1 < line.Length && line[j + 1] == '"')
            {
                text.Append('"');
                j++;
            }
            else if (line[j] == '"')
            {
                i = j + 1;
                value = text.ToString();
                return true;
            }
            else
                text.Append(line[j]);
        }
        return false;
    }

    private static string? Canonical(string name, bool hasValue) =>
        Array.Find(hasValue ? Valued : Flags, known => string.Equals(known, name, StringComparison.OrdinalIgnoreCase));

    private static string DescribeBadName(string name, bool hasValue)
    {
        var printable = PeerText.Sanitize(name);
        if (Canonical(name, !hasValue) is { } other)
            return hasValue ? $"option \"{other}\" takes no value" : $"option \"{other}\" needs a value (\"{other}=\\\"...\\\"\")";
        return $"unknown option \"{printable}\"";
    }
}
