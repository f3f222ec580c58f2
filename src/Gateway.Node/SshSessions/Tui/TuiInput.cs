namespace Gateway.Node.SshSessions.Tui;

/// <summary>Keys the status TUI tells apart; printable characters arrive as <see cref="TuiKey.Char"/>.</summary>
public enum TuiKey
{
    Char,
    Enter,
    Tab,
    ShiftTab,
    Escape,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    CtrlC,
}

public enum TuiMouseAction { LeftPress, RightPress, MiddlePress, Release, WheelUp, WheelDown, Motion }

/// <summary>One thing the terminal sent, decoded by <see cref="TuiInputDecoder"/>.</summary>
public abstract record TuiInput;

public sealed record KeyInput(TuiKey Key, char Char = '\0') : TuiInput
{
    public static KeyInput Of(char c) => new(TuiKey.Char, c);
}

/// <summary>An SGR (1006) mouse report; <see cref="Column"/> and <see cref="Row"/> count from 0.</summary>
public sealed record MouseInput(TuiMouseAction Action, int Column, int Row) : TuiInput;

/// <summary>The answer to a Primary Device Attributes request (<c>CSI c</c>): attribute 52 means the terminal takes OSC 52 clipboard writes.</summary>
public sealed record DeviceAttributesInput(IReadOnlyList<int> Attributes) : TuiInput
{
    public const int Clipboard = 52;

    public bool SupportsClipboard => Attributes.Skip(1).Contains(Clipboard);
}
