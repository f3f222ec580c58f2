namespace Gateway.Node.SshSessions.Tui;

/// <summary>
/// Everything about the TUI that is the viewer's, not the session's: the screen size, which panels
/// are shown, the focused panel, each table's selected row and scroll position, whether the log
/// follows its end, the open row menu, and whether the terminal takes clipboard writes. Turns
/// decoded input into changes and <see cref="TuiAction"/>s. Plain state: the TUI's loop drives it.
/// </summary>
public sealed class TuiViewState
{
    private const int WheelStep = 3;

    private readonly HashSet<TuiPanel> _visible = [.. TuiPanels.All];
    private readonly int[] _selected = new int[4];
    private readonly int[] _offset = new int[4];

    public TuiViewState(int width, int height)
    {
        Layout = TuiLayout.Compute(width, height, _visible);
    }

    public TuiLayout Layout { get; private set; }

    public IReadOnlySet<TuiPanel> Visible => _visible;

    public TuiPanel? Focus { get; private set; } = TuiPanel.Connections;

    /// <summary>The log shows its newest lines until the user scrolls up; End follows again.</summary>
    public bool FollowLogs { get; private set; } = true;

    public TuiMenu? Menu { get; private set; }

    public bool ClipboardSupported { get; set; }

    public int Selected(TuiPanel panel) => _selected[(int)panel];

    public void Resize(int width, int height) => Layout = TuiLayout.Compute(width, height, _visible);

    /// <summary>The first row shown of <paramref name="panel"/> with <paramref name="count"/> rows, after clamping.</summary>
    public int Top(TuiPanel panel, int count)
    {
        var capacity = Layout.Capacity(panel);
        var max = Math.Max(0, count - capacity);
        if (panel == TuiPanel.Logs && FollowLogs) return max;
        return Math.Clamp(_offset[(int)panel], 0, max);
    }

    /// <param name="rows">how many rows each panel has now</param>
    /// <param name="remote">the Remote URL of the route at a Port Forward Status row, null if none</param>
    public TuiAction Handle(TuiInput input, Func<TuiPanel, int> rows, Func<int, string?> remote) => input switch
    {
        DeviceAttributesInput da => SetClipboard(da.SupportsClipboard),
        KeyInput key => Menu is null ? OnKey(key, rows, remote) : OnMenuKey(key),
        MouseInput mouse => OnMouse(mouse, rows, remote),
        _ => TuiAction.None,
    };

    private TuiAction SetClipboard(bool supported)
    {
        ClipboardSupported = supported;
        return TuiAction.None;
    }

    private TuiAction OnKey(KeyInput key, Func<TuiPanel, int> rows, Func<int, string?> remote)
    {
        switch (key.Key)
        {
            case TuiKey.CtrlC:
                return TuiAction.Quit;
            case TuiKey.Tab:
                return CycleFocus(1);
            case TuiKey.ShiftTab:
                return CycleFocus(-1);
            case TuiKey.Up: return Move(rows, -1);
            case TuiKey.Down: return Move(rows, 1);
            case TuiKey.PageUp: return Move(rows, -Page());
            case TuiKey.PageDown: return Move(rows, Page());
            case TuiKey.Home: return Move(rows, int.MinValue / 2);
            case TuiKey.End: return Move(rows, int.MaxValue / 2);
            case TuiKey.Enter: return OpenMenu(remote);
            case TuiKey.Escape: return TuiAction.None;
            case TuiKey.Char:
                return key.Char switch
                {
                    'q' => TuiAction.Quit,
                    >= '1' and <= '4' => Toggle((TuiPanel)(key.Char - '1')),
                    'k' => Move(rows, -1),
                    'j' => Move(rows, 1),
                    'b' => Move(rows, -Page()),
                    'f' or ' ' => Move(rows, Page()),
                    'g' => Move(rows, int.MinValue / 2),
                    'G' => Move(rows, int.MaxValue / 2),
                    _ => TuiAction.None,
                };
            default:
                return TuiAction.None;
        }
    }

    private int Page() => Focus is { } focus ? Math.Max(1, Layout.Capacity(focus)) : 1;

    private TuiAction OnMenuKey(KeyInput key)
    {
        var menu = Menu!;
        switch (key.Key)
        {
            case TuiKey.CtrlC:
                return TuiAction.Quit;
            case TuiKey.Escape:
                Menu = null;
                return TuiAction.Redraw;
            case TuiKey.Left or TuiKey.Up or TuiKey.ShiftTab:
                menu.Selected = (menu.Selected + menu.Items.Count - 1) % menu.Items.Count;
                return TuiAction.Redraw;
            case TuiKey.Right or TuiKey.Down or TuiKey.Tab:
                menu.Selected = (menu.Selected + 1) % menu.Items.Count;
                return TuiAction.Redraw;
            case TuiKey.Enter:
                return Choose(menu.Items[menu.Selected]);
            case TuiKey.Char when key.Char == 'q':
                Menu = null;
                return TuiAction.Redraw;
            case TuiKey.Char when key.Char == 'k':
                return OnMenuKey(new KeyInput(TuiKey.Up));
            case TuiKey.Char when key.Char == 'j':
                return OnMenuKey(new KeyInput(TuiKey.Down));
            case TuiKey.Char when key.Char == ' ':
                return OnMenuKey(new KeyInput(TuiKey.Enter));
            default:
                return TuiAction.None;
        }
    }

    private TuiAction Choose(string item)
    {
        var menu = Menu!;
        Menu = null;
        return item == TuiMenu.Copy ? new CopyAction(menu.Remote) : TuiAction.Redraw;
    }

    private TuiAction OpenMenu(Func<int, string?> remote)
    {
        if (Focus != TuiPanel.Forwards) return TuiAction.None;
        var url = remote(_selected[(int)TuiPanel.Forwards]);
        if (url is null) return TuiAction.None;
        Menu = new TuiMenu(url, ClipboardSupported);
        return TuiAction.Redraw;
    }

    private TuiAction Toggle(TuiPanel panel)
    {
        if (!_visible.Remove(panel)) _visible.Add(panel);
        Layout = TuiLayout.Compute(Layout.Width, Layout.Height, _visible);
        if (Focus is null || !_visible.Contains(Focus.Value))
            Focus = TuiPanels.All.Where(_visible.Contains).Cast<TuiPanel?>().FirstOrDefault();
        return TuiAction.Redraw;
    }

    private TuiAction CycleFocus(int step)
    {
        var order = TuiPanels.All.Where(_visible.Contains).ToList();
        if (order.Count == 0) return TuiAction.None;
        var index = Focus is { } f ? order.IndexOf(f) : -1;
        Focus = order[((index < 0 ? 0 : index + step) % order.Count + order.Count) % order.Count];
        return TuiAction.Redraw;
    }

    private TuiAction Move(Func<TuiPanel, int> rows, int delta)
    {
        if (Focus is not { } panel) return TuiAction.None;
        return MoveIn(panel, rows(panel), delta);
    }

    private TuiAction MoveIn(TuiPanel panel, int count, int delta)
    {
        var i = (int)panel;
        var capacity = Layout.Capacity(panel);
        if (panel == TuiPanel.Logs)
        {
            var max = Math.Max(0, count - capacity);
            var top = Math.Clamp((long)Top(panel, count) + delta, 0, max);
            _offset[i] = (int)top;
            FollowLogs = top >= max;
            return TuiAction.Redraw;
        }
        if (count == 0) return TuiAction.None;
        _selected[i] = (int)Math.Clamp((long)_selected[i] + delta, 0, count - 1);
        // Keep the selected row in view.
        if (_selected[i] < _offset[i]) _offset[i] = _selected[i];
        if (_selected[i] >= _offset[i] + capacity) _offset[i] = _selected[i] - capacity + 1;
        return TuiAction.Redraw;
    }

    /// <summary>The selected row, clamped to the rows there are now (rows come and go between inputs).</summary>
    public int SelectedRow(TuiPanel panel, int count) => count == 0 ? -1 : Math.Clamp(_selected[(int)panel], 0, count - 1);

    /// <summary>The first table row shown: keeps the selected row in view.</summary>
    public int TableTop(TuiPanel panel, int count)
    {
        var capacity = Layout.Capacity(panel);
        var selected = SelectedRow(panel, count);
        var top = Math.Clamp(_offset[(int)panel], 0, Math.Max(0, count - capacity));
        if (selected >= 0 && selected < top) top = selected;
        if (selected >= top + capacity) top = selected - capacity + 1;
        return Math.Max(0, top);
    }

    private TuiAction OnMouse(MouseInput mouse, Func<TuiPanel, int> rows, Func<int, string?> remote)
    {
        if (Menu is { } menu)
        {
            if (mouse.Action != TuiMouseAction.LeftPress) return TuiAction.None;
            if (mouse.Row == Layout.Height - 1)
                foreach (var (item, column, width) in menu.ItemColumns())
                    if (mouse.Column >= column && mouse.Column < column + width) return Choose(item);
            Menu = null;
            return TuiAction.Redraw;
        }
        var panel = Layout.PanelAt(mouse.Column, mouse.Row);
        if (panel is not { } p) return TuiAction.None;
        var count = rows(p);
        switch (mouse.Action)
        {
            case TuiMouseAction.WheelUp:
                return MoveIn(p, count, -WheelStep);
            case TuiMouseAction.WheelDown:
                return MoveIn(p, count, WheelStep);
            case TuiMouseAction.LeftPress or TuiMouseAction.RightPress:
                Focus = p;
                if (p.IsTable())
                {
                    var index = TableTop(p, count) + mouse.Row - Layout.FirstDataRow(p);
                    if (mouse.Row >= Layout.FirstDataRow(p) && index < count) _selected[(int)p] = index;
                    if (mouse.Action == TuiMouseAction.RightPress) return OpenMenu(remote) is var opened && opened != TuiAction.None ? opened : TuiAction.Redraw;
                }
                return TuiAction.Redraw;
            default:
                return TuiAction.None;
        }
    }
}
