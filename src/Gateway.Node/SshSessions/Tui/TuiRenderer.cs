using Gateway.Actors.Sessions;
using Gateway.Ssh;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gateway.Node.SshSessions.Tui;

/// <summary>
/// Draws one whole frame with Spectre.Console's widgets (panels with titles in the border, tables,
/// a layout of fixed sizes from <see cref="TuiLayout"/>) into a console over a
/// <see cref="StringWriter"/> with the terminal's width and height, and returns it as rows, each a
/// full line with its own colour codes. <see cref="ScreenDiff"/> then sends only the rows that
/// changed. With <c>ansi: false</c> the rows are plain text (golden screens in tests).
/// </summary>
public sealed class TuiRenderer
{
    private static readonly Style Header = new(decoration: Decoration.Bold);
    private static readonly Style Faint = new(Color.Grey);
    private static readonly Style Selected = new(decoration: Decoration.Invert);
    private static readonly Style FocusBorder = new(Color.Blue, decoration: Decoration.Bold);
    private static readonly Style Border = new(Color.Grey);

    private readonly bool _ansi;
    private readonly ColorSystemSupport _colors;

    /// <param name="ansi">colour codes in the rows (a terminal), or plain text</param>
    /// <param name="colors">the terminal's colours, from its TERM</param>
    public TuiRenderer(bool ansi, ColorSystemSupport colors = ColorSystemSupport.Standard)
    {
        _ansi = ansi;
        _colors = ansi ? colors : ColorSystemSupport.NoColors;
    }

    /// <summary>The colours a terminal of type <paramref name="term"/> shows (pty-req's TERM).</summary>
    public static ColorSystemSupport ColorsFor(string term)
        => term.Contains("truecolor", StringComparison.OrdinalIgnoreCase) || term.Contains("direct", StringComparison.OrdinalIgnoreCase) ? ColorSystemSupport.TrueColor
            : term.Contains("256", StringComparison.Ordinal) ? ColorSystemSupport.EightBit
            : ColorSystemSupport.Standard;

    public string[] Render(TunnelStatusModel model, TuiViewState view, DateTime now)
    {
        var layout = view.Layout;
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = _ansi ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = _colors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = layout.Width;
        console.Profile.Height = layout.Height;
        console.Profile.Capabilities.Unicode = true;
        console.Profile.Capabilities.Links = false;
        console.Write(layout.TooSmall ? TooSmall(layout) : Screen(model, view, now));
        var rows = writer.ToString().Split('\n');
        var frame = new string[layout.Height];
        for (var i = 0; i < frame.Length; i++) frame[i] = i < rows.Length ? rows[i].TrimEnd('\r') : "";
        return frame;
    }

    private static Layout TooSmall(TuiLayout layout)
    {
        var message = $"terminal too small: {layout.Width}x{layout.Height}, the tunnel status needs at least {TuiLayout.MinWidth}x{TuiLayout.MinHeight}";
        return new Layout("root").Update(new Align(new Text(message), HorizontalAlignment.Center, VerticalAlignment.Middle));
    }

    private static Layout Screen(TunnelStatusModel model, TuiViewState view, DateTime now)
    {
        var layout = view.Layout;
        var body = new List<Layout> { new Layout("header").Size(1).Update(HeaderRow(model.Identity, layout.Width)) };
        var panels = layout.Panels;
        if (panels.Count == 0)
        {
            body.Add(new Layout("empty").Size(layout.BodyHeight).Update(
                new Align(new Text("Press 1/2/3/4 to toggle panel visibility", Faint), HorizontalAlignment.Center, VerticalAlignment.Middle)));
        }
        else
        {
            if (panels.TryGetValue(TuiPanel.Connections, out var c))
                body.Add(new Layout("connections").Size(c.Height).Update(Connections(model, view, c, now)));
            var requests = panels.TryGetValue(TuiPanel.Requests, out var r);
            var forwards = panels.TryGetValue(TuiPanel.Forwards, out var f);
            if (requests || forwards)
            {
                var height = requests ? r.Height : f.Height;
                var middle = new List<Layout>();
                if (requests) middle.Add(new Layout("requests").Size(r.Width).Update(Requests(model, view, r)));
                if (forwards) middle.Add(new Layout("forwards").Size(f.Width).Update(Forwards(model, view, f)));
                body.Add(new Layout("middle").Size(height).SplitColumns([.. middle]));
            }
            if (panels.TryGetValue(TuiPanel.Logs, out var l))
                body.Add(new Layout("logs").Size(l.Height).Update(Logs(model, view, l)));
        }
        body.Add(new Layout("help").Size(1).Update(HelpRow(view, layout.Width)));
        return new Layout("root").SplitRows([.. body]);
    }

    private static IRenderable HeaderRow(TuiIdentity identity, int width)
    {
        var right = $"Session {identity.SessionId}  Client {identity.ClientAddress}  {identity.Email} ";
        const string left = " Tunnel status";
        var gap = Math.Max(1, width - left.Length - right.Length);
        return new Markup($"[bold]{Markup.Escape(left)}[/]{new string(' ', gap)}{Markup.Escape(Fit(right, Math.Max(1, width - left.Length - 1)))}");
    }

    /// <summary>The help row: quitting ends the ssh session (and its tunnels), as in the reference, which is why it points at <c>-N</c>.</summary>
    public const string HelpText = " q/ctrl+c quit (ends ssh; use ssh -N for tunnels only)  tab/1-4 panels  ↑↓ enter";

    private static IRenderable HelpRow(TuiViewState view, int width)
    {
        if (view.Menu is { } menu)
        {
            var markup = Markup.Escape(menu.Prefix);
            var i = 0;
            foreach (var (item, _, _) in menu.ItemColumns())
                markup += (i++ == menu.Selected ? $"[invert][[ {Markup.Escape(item)} ]][/]" : $"[[ {Markup.Escape(item)} ]]") + " ";
            return new Markup(markup + "[grey]esc: close[/]");
        }
        return new Text(Fit(HelpText, width), Faint);
    }

    private static Panel Frame(TuiPanel panel, IRenderable content, TuiRect rect, TuiViewState view)
    {
        var title = $"{panel.Title()} [[{(int)panel + 1}]]";
        var focused = view.Focus == panel;
        return new Panel(content)
        {
            Header = new PanelHeader(focused ? $"[bold]{title}[/]" : title),
            Border = BoxBorder.Rounded,
            BorderStyle = focused ? FocusBorder : Border,
            Expand = true,
            Height = rect.Height,
            Padding = new Padding(0, 0, 0, 0),
        };
    }

    /// <summary>
    /// A table without borders: one header row, then the rows that fit. Column widths are fixed here
    /// (fixed columns as given, the rest share what is left) and cells are cut with an ellipsis, so a
    /// row is always one line and never reflows when a value grows.
    /// </summary>
    /// <param name="columns">a fixed width, or null to share what is left by <c>Weight</c></param>
    private static (Table Table, int[] Widths) NewTable(TuiRect rect, params (string Name, int? Width, int Weight)[] columns)
    {
        var inner = rect.Width - 2;
        var gaps = columns.Length - 1;
        var weights = columns.Where(c => c.Width is null).Sum(c => c.Weight);
        var left = inner - gaps - columns.Sum(c => c.Width ?? 0);
        var widths = new int[columns.Length];
        var given = 0;
        var lastFlexible = Array.FindLastIndex(columns, c => c.Width is null);
        for (var i = 0; i < columns.Length; i++)
        {
            if (columns[i].Width is { } fixedWidth)
            {
                widths[i] = fixedWidth;
                continue;
            }
            // The last flexible column takes the rounding remainder, so the row is exactly as wide as the panel.
            var share = i == lastFlexible ? left - given : left * columns[i].Weight / weights;
            given += share;
            widths[i] = Math.Max(3, share);
        }
        // The gap between columns is part of each cell's text, so a selected row is highlighted whole.
        for (var i = 0; i < gaps; i++) widths[i]++;
        var table = new Table { Border = TableBorder.None, Expand = false, ShowHeaders = true };
        for (var i = 0; i < columns.Length; i++)
        {
            table.AddColumn(new TableColumn(new Text(Cut(columns[i].Name, widths[i], i < gaps), Header))
            {
                NoWrap = true,
                Width = widths[i],
                Padding = new Padding(0, 0, 0, 0),
            });
        }
        return (table, widths);
    }

    /// <summary>A cell's text: cut to its column, a space kept before the next column.</summary>
    private static string Cut(string text, int width, bool gap) => gap ? Fit(text, width - 1).PadRight(width) : Fit(text, width);

    /// <summary>Cuts <paramref name="text"/> to <paramref name="width"/> cells with an ellipsis.</summary>
    public static string Fit(string text, int width)
        => text.Length <= width ? text : width <= 1 ? text[..Math.Max(0, width)] : text[..(width - 1)] + "…";

    /// <summary>Cells hold peer text (forward patterns, addresses): escaped and bounded, so nothing can drive the terminal.</summary>
    private static (string Text, Style? Style) Cell(string text, Style? style = null) => (PeerText.Sanitize(text, 256), style);

    private static void AddRows<T>((Table Table, int[] Widths) grid, TuiPanel panel, TuiViewState view, List<T> rows, Func<T, (string Text, Style? Style)[]> cells)
    {
        var (table, widths) = grid;
        var capacity = view.Layout.Capacity(panel);
        var top = view.TableTop(panel, rows.Count);
        var selected = view.Focus == panel ? view.SelectedRow(panel, rows.Count) : -1;
        for (var i = top; i < rows.Count && i < top + capacity; i++)
        {
            var style = i == selected ? Selected : (Style?)null;
            table.AddRow(cells(rows[i]).Select((c, column) => (IRenderable)new Text(Cut(c.Text, widths[column], column < widths.Length - 1), style ?? c.Style ?? Style.Plain)));
        }
    }

    private static Panel Connections(TunnelStatusModel model, TuiViewState view, TuiRect rect, DateTime now)
    {
        var table = NewTable(rect, ("Channel", 7, 0), ("Status", 6, 0), ("Hostname", null, 1), ("Path", null, 1),
            ("Client", Math.Max(17, (rect.Width - 42) / 3), 0), ("Rx", 8, 0), ("Tx", 8, 0), ("Duration", 8, 0));
        var rows = model.Connections.Rows();
        AddRows(table, TuiPanel.Connections, view, rows, c =>
        [
            Cell(c.Channel?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? c.ConnectionId),
            c.ClosedAt is null ? Cell("OPEN", new Style(Color.Green)) : Cell("CLOSED", new Style(Color.Orange1)),
            Cell(c.Host),
            Cell(c.Path ?? (c.IsHealthCheck ? "(probe)" : "")),
            Cell(TuiFormat.Client(c), c.IsHealthCheck ? Faint : (Style?)null),
            Cell(TuiFormat.Bytes(c.BytesToUpstream)),
            Cell(TuiFormat.Bytes(c.BytesToDownstream)),
            Cell(TuiFormat.Duration((c.ClosedAt ?? now) - c.OpenedAt)),
        ]);
        return Frame(TuiPanel.Connections, table.Table, rect, view);
    }

    private static Panel Requests(TunnelStatusModel model, TuiViewState view, TuiRect rect)
    {
        var table = NewTable(rect, ("Hostname", null, 1), ("Port", 7, 0), ("Routes", 6, 0));
        AddRows(table, TuiPanel.Requests, view, model.Forwards.Requests.ToList(), r =>
        [
            r.MatchesAll ? Cell("(all)", Faint) : Cell(r.Pattern),
            Cell(r.PortLabel),
            Cell(r.Routes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]);
        return Frame(TuiPanel.Requests, table.Table, rect, view);
    }

    private static Panel Forwards(TunnelStatusModel model, TuiViewState view, TuiRect rect)
    {
        var table = NewTable(rect, ("Status", 8, 0), ("Health", 9, 0), ("Remote", null, 3), ("Local", null, 2));
        AddRows(table, TuiPanel.Forwards, view, model.Forwards.Routes.ToList(), r =>
        {
            var status = TuiFormat.RouteStatus(r);
            var health = TuiFormat.RouteHealth(r);
            return
            [
                Cell(status, status switch { "ACTIVE" => new Style(Color.Green), "INACTIVE" => new Style(Color.Red), _ => Faint }),
                Cell(health, health switch { "HEALTHY" => new Style(Color.Green), "DEGRADED" => new Style(Color.Yellow), "UNHEALTHY" => new Style(Color.Red), _ => Faint }),
                Cell(r.Remote),
                Cell(string.Join(",", r.To.Select(t => t.OriginalString))),
            ];
        });
        return Frame(TuiPanel.Forwards, table.Table, rect, view);
    }

    private static Panel Logs(TunnelStatusModel model, TuiViewState view, TuiRect rect)
    {
        var lines = model.Logs.Lines();
        var capacity = view.Layout.Capacity(TuiPanel.Logs);
        var top = view.Top(TuiPanel.Logs, lines.Count);
        var rows = new Rows(lines.Skip(top).Take(capacity).Select(l => (IRenderable)new Text(Fit(PeerText.Sanitize(l, 1024), rect.Width - 2), LogStyle(l))));
        return Frame(TuiPanel.Logs, rows, rect, view);
    }

    private static Style LogStyle(string line)
        => line.Contains("] warning:", StringComparison.Ordinal) ? new Style(Color.Yellow)
            : line.Contains("] error:", StringComparison.Ordinal) ? new Style(Color.Red)
            : line.StartsWith(' ') ? Faint : Style.Plain;
}
