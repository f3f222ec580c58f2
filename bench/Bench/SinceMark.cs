using System.Globalization;

namespace Gateway.Bench;

/// <summary>
/// The moment a measured change began (Unix ms): given as --since-ms, or read from --since-file
/// as its "--since-key=value" once another process wrote it. The waits start polling before the
/// change, so their own start-up is not part of what they measure.
/// </summary>
public sealed class SinceMark(BenchArgs args)
{
    private readonly string? _file = args.Get("since-file", "") is { Length: > 0 } f ? f : null;
    private readonly string _key = args.Get("since-key", "closing_at_ms") + "=";
    private long? _value = args.Get("since-ms", "") is { Length: > 0 } v ? long.Parse(v, CultureInfo.InvariantCulture) : null;

    /// <summary>Null until the change began.</summary>
    public long? Value
    {
        get
        {
            if (_value is null && _file is not null && File.Exists(_file))
            {
                foreach (var token in File.ReadAllText(_file).Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
                    if (token.StartsWith(_key, StringComparison.Ordinal)) _value = long.Parse(token[_key.Length..], CultureInfo.InvariantCulture);
            }
            return _value;
        }
    }
}
