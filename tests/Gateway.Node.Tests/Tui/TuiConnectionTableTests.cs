using Gateway.Node.SshSessions.Tui;

namespace Gateway.Node.Tests.Tui;

public sealed class TuiConnectionTableTests
{
    private static readonly DateTime T0 = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private static Gateway.Actors.Sessions.ConnectionSnapshot Row(string id, uint channel, long tx = 0, bool closed = false)
        => new(id, channel, "h", "127.0.0.1:1", "/", null, T0, 0, tx, closed ? T0.AddSeconds(1) : null, null);

    [Fact]
    public void A_reused_channel_replaces_its_row_and_a_late_close_of_the_former_connection_is_ignored()
    {
        var table = new ConnectionTable();
        table.Apply(Row("1", 7));
        table.Apply(Row("2", 8, tx: 5));
        table.Apply(Row("3", 7)); // channel 7 again, before connection 1's close arrived
        table.Apply(Row("1", 7, tx: 9, closed: true));
        Assert.Equal(["3", "2"], table.Rows().Select(r => r.ConnectionId));
        Assert.Equal(2, table.OpenCount);
    }

    [Fact]
    public void A_closed_row_is_final_and_closed_rows_are_bounded()
    {
        var table = new ConnectionTable();
        table.Apply(Row("1", 1, tx: 10, closed: true));
        table.Apply(Row("1", 1, tx: 5));
        Assert.NotNull(Assert.Single(table.Rows()).ClosedAt);
        for (var i = 0; i < ConnectionTable.ClosedLimit + 20; i++) table.Apply(Row($"{i + 10}", (uint)(i + 10), closed: true));
        table.Apply(Row("500", 500));
        Assert.Equal(ConnectionTable.ClosedLimit + 1, table.Rows().Count);
        Assert.Equal("500", table.Rows()[0].ConnectionId);
    }
}
