namespace Gateway.Node.SshSessions.Tui;

/// <summary>The four panels, in tab order; the number is the key that toggles it (1-4).</summary>
public enum TuiPanel
{
    Connections = 0,
    Requests = 1,
    Forwards = 2,
    Logs = 3,
}

public static class TuiPanels
{
    public static readonly TuiPanel[] All = [TuiPanel.Connections, TuiPanel.Requests, TuiPanel.Forwards, TuiPanel.Logs];

    public static string Title(this TuiPanel panel) => panel switch
    {
        TuiPanel.Connections => "Active Connections",
        TuiPanel.Requests => "Client Requests",
        TuiPanel.Forwards => "Port Forward Status",
        _ => "Logs",
    };

    /// <summary>Tables have a header row under the border; the log has none.</summary>
    public static bool IsTable(this TuiPanel panel) => panel != TuiPanel.Logs;
}
