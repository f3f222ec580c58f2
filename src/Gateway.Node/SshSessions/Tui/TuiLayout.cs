namespace Gateway.Node.SshSessions.Tui;

/// <summary>
/// Where each visible panel goes on a screen of a given size: a header row, Active Connections,
/// then Client Requests beside Port Forward Status (1:2), then Logs, then the help row. Hidden
/// panels give their rows to the others (vertical weights 4:3:3). The renderer draws from it and
/// mouse clicks are hit-tested against it, so both always agree.
/// </summary>
public sealed class TuiLayout
{
    public const int MinWidth = 80;
    public const int MinHeight = 24;

    private readonly Dictionary<TuiPanel, TuiRect> _panels = [];

    private TuiLayout(int width, int height) => (Width, Height) = (width, height);

    public int Width { get; }
    public int Height { get; }

    public bool TooSmall => Width < MinWidth || Height < MinHeight;

    public IReadOnlyDictionary<TuiPanel, TuiRect> Panels => _panels;

    /// <summary>The rows between the header and the help row.</summary>
    public int BodyHeight => Height - 2;

    public static TuiLayout Compute(int width, int height, IReadOnlySet<TuiPanel> visible)
    {
        var layout = new TuiLayout(width, height);
        if (layout.TooSmall) return layout;
        var middle = visible.Contains(TuiPanel.Requests) || visible.Contains(TuiPanel.Forwards);
        var sections = new List<(string Name, int Weight)>();
        if (visible.Contains(TuiPanel.Connections)) sections.Add(("connections", 4));
        if (middle) sections.Add(("middle", 3));
        if (visible.Contains(TuiPanel.Logs)) sections.Add(("logs", 3));
        if (sections.Count == 0) return layout;

        var total = sections.Sum(s => s.Weight);
        var y = 1;
        var left = layout.BodyHeight;
        for (var i = 0; i < sections.Count; i++)
        {
            var size = i == sections.Count - 1 ? left : (int)Math.Round((double)layout.BodyHeight * sections[i].Weight / total);
            left -= size;
            switch (sections[i].Name)
            {
                case "connections":
                    layout._panels[TuiPanel.Connections] = new TuiRect(0, y, width, size);
                    break;
                case "logs":
                    layout._panels[TuiPanel.Logs] = new TuiRect(0, y, width, size);
                    break;
                default:
                    var both = visible.Contains(TuiPanel.Requests) && visible.Contains(TuiPanel.Forwards);
                    var requestsWidth = both ? Math.Max(30, width / 3) : width;
                    if (visible.Contains(TuiPanel.Requests)) layout._panels[TuiPanel.Requests] = new TuiRect(0, y, requestsWidth, size);
                    if (visible.Contains(TuiPanel.Forwards))
                        layout._panels[TuiPanel.Forwards] = both ? new TuiRect(requestsWidth, y, width - requestsWidth, size) : new TuiRect(0, y, width, size);
                    break;
            }
            y += size;
        }
        return layout;
    }

    /// <summary>How many data rows (table rows or log lines) fit in a panel.</summary>
    public int Capacity(TuiPanel panel) => _panels.TryGetValue(panel, out var r) ? Math.Max(0, r.Height - 2 - (panel.IsTable() ? 1 : 0)) : 0;

    /// <summary>The screen row of a panel's first data row.</summary>
    public int FirstDataRow(TuiPanel panel) => _panels[panel].Y + 1 + (panel.IsTable() ? 1 : 0);

    public TuiPanel? PanelAt(int column, int row)
    {
        foreach (var (panel, rect) in _panels)
            if (rect.Contains(column, row)) return panel;
        return null;
    }
}
