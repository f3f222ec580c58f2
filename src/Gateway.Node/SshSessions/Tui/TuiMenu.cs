namespace Gateway.Node.SshSessions.Tui;

/// <summary>
/// A row's menu, shown in the help row while open: the row's Remote URL and its items, one
/// selected. "Copy Remote URL" is offered only when the terminal said it takes OSC 52.
/// </summary>
public sealed class TuiMenu
{
    public const string Copy = "Copy Remote URL";
    public const string Close = "Close";

    public TuiMenu(string remote, bool clipboard)
    {
        Remote = remote;
        Items = clipboard ? [Copy, Close] : [Close];
    }

    public string Remote { get; }
    public IReadOnlyList<string> Items { get; }
    public int Selected { get; set; }

    public string Prefix => $" {Remote}: ";

    /// <summary>Each item's first column and width in the help row, for drawing and for clicks.</summary>
    public IEnumerable<(string Item, int Column, int Width)> ItemColumns()
    {
        var column = Prefix.Length;
        foreach (var item in Items)
        {
            var width = item.Length + 4; // "[ item ]"
            yield return (item, column, width);
            column += width + 1;
        }
    }
}
