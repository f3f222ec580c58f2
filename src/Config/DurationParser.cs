using System.Globalization;

namespace Gateway.Config;

/// <summary>
/// Durations as Pomerium writes them (Go syntax: "30s", "1m30s", "500ms", "0.5s") and as HOCON
/// writes them ("30 seconds", "10 ms", "2 minutes", "1d"). A bare number is refused unless it is
/// zero: HOCON reads it as milliseconds while a Pomerium user would mean seconds, and guessing
/// wrong silently is worse than asking for a unit.
/// </summary>
public static class DurationParser
{
    // Ticks per unit as decimals so that nanoseconds (below one tick) still parse.
    private const decimal Ns = 0.01m, Us = 10m, Ms = 10_000m, Sec = 10_000_000m, Min = 60 * Sec, Hour = 60 * Min, Day = 24 * Hour;

    private static readonly Dictionary<string, decimal> GoUnits = new(StringComparer.Ordinal)
    {
        ["ns"] = Ns, ["us"] = Us, ["\u00b5s"] = Us, ["\u03bcs"] = Us, ["ms"] = Ms, ["s"] = Sec, ["m"] = Min, ["h"] = Hour,
    };

    private static readonly Dictionary<string, decimal> HoconUnits = new(StringComparer.Ordinal)
    {
        ["ns"] = Ns, ["nano"] = Ns, ["nanos"] = Ns, ["nanosecond"] = Ns, ["nanoseconds"] = Ns,
        ["us"] = Us, ["micro"] = Us, ["micros"] = Us, ["microsecond"] = Us, ["microseconds"] = Us,
        ["ms"] = Ms, ["milli"] = Ms, ["millis"] = Ms, ["millisecond"] = Ms, ["milliseconds"] = Ms,
        ["s"] = Sec, ["second"] = Sec, ["seconds"] = Sec,
        ["m"] = Min, ["minute"] = Min, ["minutes"] = Min,
        ["h"] = Hour, ["hour"] = Hour, ["hours"] = Hour,
        ["d"] = Day, ["day"] = Day, ["days"] = Day,
    };

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.Trim();
        if (s.Length == 0)
            return false;
        if (decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bare))
            return bare == 0m;
        return TryParseGo(s, out value) || TryParseHocon(s, out value);
    }

    private static bool TryParseGo(string s, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var total = 0m;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
                i++;
            if (i == start || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint,
                    CultureInfo.InvariantCulture, out var number))
                return false;
            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
                i++;
            var unit = s.Substring(unitStart, i - unitStart);
            if (!GoUnits.TryGetValue(unit, out var scale))
                return false;
            total += number * scale;
            if (total > TimeSpan.MaxValue.Ticks)
                return false;
        }
        value = TimeSpan.FromTicks((long)total);
        return true;
    }

    private static bool TryParseHocon(string s, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            i++;
        if (i == 0 || !decimal.TryParse(s.AsSpan(0, i), NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out var number))
            return false;
        var unit = s[i..].Trim();
        if (!HoconUnits.TryGetValue(unit, out var scale))
            return false;
        var ticks = number * scale;
        if (ticks > TimeSpan.MaxValue.Ticks)
            return false;
        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }
}
