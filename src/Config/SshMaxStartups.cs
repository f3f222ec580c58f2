using System.Globalization;

namespace Gateway.Config;

/// <summary>
/// <c>ssh_max_startups</c>: OpenSSH's <c>MaxStartups start:rate:full</c> for connections not yet
/// authenticated (random early drop from <see cref="Start"/> at <see cref="Rate"/>%, everything
/// from <see cref="Full"/>). A single number N means N:100:N.
/// </summary>
public sealed record SshMaxStartups(int Start, int Rate, int Full)
{
    public static SshMaxStartups Default { get; } = new(10, 30, 100);

    public static bool TryParse(string text, out SshMaxStartups? value, out string error)
    {
        value = null;
        error = "expected \"start:rate:full\" such as \"10:30:100\", or a single number";
        var parts = text.Split(':');
        if (parts.Length is not (1 or 3)) return false;
        var numbers = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i])) return false;
        var (start, rate, full) = parts.Length == 1 ? (numbers[0], 100, numbers[0]) : (numbers[0], numbers[1], numbers[2]);
        if (start < 1) { error = "start must be at least 1"; return false; }
        if (rate > 100) { error = "rate is a percentage from 0 to 100"; return false; }
        if (full < start) { error = "full must be at least start"; return false; }
        value = new SshMaxStartups(start, rate, full);
        return true;
    }

    public override string ToString() => $"{Start}:{Rate}:{Full}";
}
