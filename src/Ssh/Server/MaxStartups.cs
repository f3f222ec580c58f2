using System.Globalization;

namespace Gateway.Ssh.Server;

/// <summary>
/// OpenSSH's <c>MaxStartups start:rate:full</c>: with <see cref="Start"/> or more connections not
/// yet authenticated, a new one is dropped with probability <see cref="Rate"/>%, rising linearly
/// to 100% at <see cref="Full"/>. Random early drop keeps a flood of silent connections from
/// taking every slot while real clients still get through often enough to log in.
/// </summary>
public readonly record struct MaxStartups
{
    public MaxStartups(int start, int rate, int full)
    {
        if (start < 1) throw new ArgumentOutOfRangeException(nameof(start), "start must be at least 1");
        if (rate is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(rate), "rate must be a percentage from 0 to 100");
        if (full < start) throw new ArgumentOutOfRangeException(nameof(full), "full must be at least start");
        Start = start;
        Rate = rate;
        Full = full;
    }

    /// <summary>OpenSSH's default, 10:30:100.</summary>
    public static MaxStartups Default { get; } = new(10, 30, 100);

    public int Start { get; }
    public int Rate { get; }
    public int Full { get; }

    /// <summary>Parses <c>start:rate:full</c>, or a single number (start = full, every connection beyond it dropped).</summary>
    public static bool TryParse(string? text, out MaxStartups value, out string? error)
    {
        value = default;
        error = null;
        var parts = (text ?? "").Split(':');
        var numbers = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                error = "expected \"start:rate:full\" (e.g. \"10:30:100\") or a single number";
                return false;
            }
        }
        try
        {
            value = numbers.Length switch
            {
                1 => new MaxStartups(numbers[0], 100, numbers[0]),
                3 => new MaxStartups(numbers[0], numbers[1], numbers[2]),
                _ => throw new ArgumentException("expected \"start:rate:full\" (e.g. \"10:30:100\") or a single number"),
            };
            return true;
        }
        catch (ArgumentException ex)
        {
            error = ex is ArgumentOutOfRangeException range ? range.Message.Split(" (Parameter")[0] : ex.Message;
            return false;
        }
    }

    /// <summary>
    /// Whether a new connection is dropped when <paramref name="unauthenticated"/> connections are
    /// already pending; <paramref name="percentile"/> is a uniform random number from 0 to 99.
    /// </summary>
    public bool ShouldDrop(int unauthenticated, int percentile)
    {
        if (unauthenticated < Start) return false;
        if (unauthenticated >= Full) return true;
        // From Rate% at Start to 100% at Full.
        var chance = Rate + (100 - Rate) * (unauthenticated - Start) / (Full - Start);
        return percentile < chance;
    }

    public override string ToString() => $"{Start}:{Rate}:{Full}";
}
