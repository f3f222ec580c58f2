using Gateway.Actors.Sessions;

namespace Gateway.Node.SshSessions.Tui;

/// <summary>
/// The Active Connections panel's rows: newest first; a closed connection keeps its row (with its
/// final counts) until <see cref="ClosedLimit"/> newer closed rows pushed it out. Open rows are never
/// dropped. Plain state: one thread at a time.
/// </summary>
public sealed class ConnectionTable
{
    public const int ClosedLimit = 100;

    private readonly Dictionary<string, ConnectionSnapshot> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _order = new(StringComparer.Ordinal);
    private long _next;

    public long Version { get; private set; }

    public int OpenCount { get; private set; }

    public void Apply(ConnectionSnapshot row)
    {
        // A closed row is final: a late progress update must not reopen it.
        if (_rows.TryGetValue(row.ConnectionId, out var known) && known.ClosedAt is not null && row.ClosedAt is null) return;
        if (known == row) return;
        Version++;
        if (known is null) _order[row.ConnectionId] = ++_next;
        _rows[row.ConnectionId] = row;
        OpenCount = _rows.Values.Count(r => r.ClosedAt is null);
        if (row.ClosedAt is not null) TrimClosed();
    }

    /// <summary>Newest first.</summary>
    public List<ConnectionSnapshot> Rows() => _rows.Values.OrderByDescending(r => _order[r.ConnectionId]).ToList();

    private void TrimClosed()
    {
        var closed = _rows.Values.Where(r => r.ClosedAt is not null).OrderByDescending(r => _order[r.ConnectionId]).Skip(ClosedLimit).ToList();
        foreach (var row in closed)
        {
            _rows.Remove(row.ConnectionId);
            _order.Remove(row.ConnectionId);
        }
    }
}
