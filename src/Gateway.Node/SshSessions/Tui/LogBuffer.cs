namespace Gateway.Node.SshSessions.Tui;

/// <summary>One entry of the Logs panel: a line, the hint lines that followed it, and how often it came in a row.</summary>
public sealed record LogEntry(DateTime At, string Text, IReadOnlyList<string> Hints, int Count)
{
    /// <summary>The entry as the panel shows it: <c>[HH:MM:SSZ] text (xN)</c>, then its hints.</summary>
    public IEnumerable<string> Lines()
    {
        yield return $"[{At:HH:mm:ss}Z] {Text}{(Count > 1 ? $" (x{Count})" : "")}";
        foreach (var hint in Hints) yield return "           " + hint.TrimStart();
    }
}

/// <summary>
/// The Logs panel's lines: UTC timestamps, a line repeated right after itself (with the same hints)
/// collapsed into one entry counted <c>(xN)</c> and stamped with the latest time, at most
/// <see cref="Limit"/> entries (the oldest go first). Hint lines (<c>   hint: ...</c>) belong to the
/// line before them. Plain state: one thread at a time.
/// </summary>
public sealed class LogBuffer
{
    public const int Limit = 256;
    public const string HintPrefix = "   hint:";

    private readonly LinkedList<LogEntry> _entries = new();
    private int _repeatHint = -1;

    public int Count => _entries.Count;

    public IEnumerable<LogEntry> Entries => _entries;

    public void Add(DateTime at, string line)
    {
        var last = _entries.Last;
        if (line.StartsWith(HintPrefix, StringComparison.Ordinal) && last is not null)
        {
            // Hints of a repeated line are already there; a different hint ends the repeat.
            if (_repeatHint >= 0 && _repeatHint < last.Value.Hints.Count && last.Value.Hints[_repeatHint] == line)
            {
                _repeatHint++;
                return;
            }
            _repeatHint = -1;
            last.Value = last.Value with { Hints = [.. last.Value.Hints, line] };
            return;
        }
        if (last is not null && last.Value.Text == line)
        {
            last.Value = last.Value with { At = at, Count = last.Value.Count + 1 };
            _repeatHint = 0;
            return;
        }
        _repeatHint = -1;
        _entries.AddLast(new LogEntry(at, line, [], 1));
        while (_entries.Count > Limit) _entries.RemoveFirst();
    }

    /// <summary>All lines, oldest first.</summary>
    public List<string> Lines() => _entries.SelectMany(e => e.Lines()).ToList();
}
