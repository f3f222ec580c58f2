using System.Globalization;
using Gateway.Actors.Sessions;

namespace Gateway.Node.SshSessions.Tui;

/// <summary>
/// The Active Connections panel's rows, one per SSH channel number as in the reference: a channel
/// number used again (health probes open one every interval) replaces its row, which moves to the
/// top, and starts its counts afresh; newest first. A closed connection keeps its row (with its
/// final counts) until <see cref="ClosedLimit"/> newer closed rows pushed it out; open rows are never
/// dropped. Plain state: one thread at a time.
/// </summary>
public sealed class ConnectionTable
{
    public const int ClosedLimit = 100;

    private readonly Dictionary<string, (ConnectionSnapshot Row, long Order)> _rows = new(StringComparer.Ordinal);
    private long _next;

    public int OpenCount { get; private set; }

    public void Apply(ConnectionSnapshot row)
    {
        var key = row.Channel?.ToString(CultureInfo.InvariantCulture) ?? "#" + row.ConnectionId;
        if (_rows.TryGetValue(key, out var known))
        {
            if (known.Row == row) return;
            if (known.Row.ConnectionId == row.ConnectionId)
            {
                // A closed row is final: a late progress update must not reopen it.
                if (known.Row.ClosedAt is not null && row.ClosedAt is null) return;
                _rows[key] = (row, known.Order);
            }
            else
            {
                // The channel number was freed and taken again; the former connection's own late
                // updates (its close can arrive after the new open) must not take the row back.
                if (Number(row.ConnectionId) < Number(known.Row.ConnectionId)) return;
                _rows[key] = (row, ++_next);
            }
        }
        else
        {
            _rows[key] = (row, ++_next);
        }
        OpenCount = _rows.Values.Count(r => r.Row.ClosedAt is null);
        if (row.ClosedAt is not null) TrimClosed();
    }

    /// <summary>Newest first.</summary>
    public List<ConnectionSnapshot> Rows() => _rows.Values.OrderByDescending(r => r.Order).Select(r => r.Row).ToList();

    private static long Number(string connectionId) => long.TryParse(connectionId, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private void TrimClosed()
    {
        var closed = _rows.Where(r => r.Value.Row.ClosedAt is not null).OrderByDescending(r => r.Value.Order).Skip(ClosedLimit).Select(r => r.Key).ToList();
        foreach (var key in closed) _rows.Remove(key);
    }
}
