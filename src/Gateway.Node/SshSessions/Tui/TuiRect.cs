namespace Gateway.Node.SshSessions.Tui;

/// <summary>A panel's place on the screen, in cells from the top-left corner (0-based).</summary>
public readonly record struct TuiRect(int X, int Y, int Width, int Height)
{
    public bool Contains(int column, int row) => column >= X && column < X + Width && row >= Y && row < Y + Height;
}
