namespace Gateway.Node.SshSessions.Tui;

/// <summary>What an input asks of the TUI's loop, beyond redrawing.</summary>
public abstract record TuiAction
{
    public static readonly TuiAction None = new NoAction();
    public static readonly TuiAction Redraw = new RedrawAction();
    public static readonly TuiAction Quit = new QuitAction();

    private sealed record NoAction : TuiAction;
    private sealed record RedrawAction : TuiAction;
    private sealed record QuitAction : TuiAction;
}

/// <summary>Put <see cref="Text"/> on the user's clipboard (OSC 52).</summary>
public sealed record CopyAction(string Text) : TuiAction;
