using System.Globalization;

namespace Gateway.Node.SshSessions.Tui;

/// <summary>
/// Turns the bytes a terminal sends into keys, SGR 1006 mouse reports and the device-attributes
/// answer. Sequences split across reads are kept until complete; a lone ESC at the end of a read is
/// the Escape key (terminals send a sequence in one write). Bracketed paste (<c>CSI 200~</c> ...
/// <c>CSI 201~</c>) is dropped whole: pasted text must not act as keys. Anything unknown is skipped.
/// Plain state: one reader at a time.
/// </summary>
public sealed class TuiInputDecoder
{
    private const byte Esc = 0x1b;
    private const int PendingLimit = 64;
    private static readonly byte[] PasteEnd = "\u001b[201~"u8.ToArray();

    private readonly List<byte> _pending = [];
    private bool _inPaste;
    private int _pasteMatched;

    public List<TuiInput> Decode(ReadOnlySpan<byte> data)
    {
        var result = new List<TuiInput>();
        var bytes = _pending.Count == 0 ? data.ToArray() : [.. _pending, .. data];
        _pending.Clear();
        var i = 0;
        while (i < bytes.Length)
        {
            if (_inPaste)
            {
                i = SkipPaste(bytes, i);
                continue;
            }
            var b = bytes[i];
            if (b != Esc)
            {
                var key = Single(b);
                if (key is not null) result.Add(key);
                i++;
                continue;
            }
            var consumed = Escape(bytes.AsSpan(i), result);
            if (consumed == 0)
            {
                // Incomplete: wait for the rest, unless it can never complete.
                if (bytes.Length - i <= PendingLimit) _pending.AddRange(bytes.AsSpan(i).ToArray());
                break;
            }
            i += consumed;
        }
        return result;
    }

    private static KeyInput? Single(byte b) => b switch
    {
        (byte)'\r' or (byte)'\n' => new KeyInput(TuiKey.Enter),
        (byte)'\t' => new KeyInput(TuiKey.Tab),
        0x03 => new KeyInput(TuiKey.CtrlC),
        >= 0x20 and < 0x7f => KeyInput.Of((char)b),
        _ => null, // other control characters, DEL, bytes of UTF-8 text: no meaning here
    };

    private int SkipPaste(byte[] bytes, int i)
    {
        for (; i < bytes.Length; i++)
        {
            _pasteMatched = bytes[i] == PasteEnd[_pasteMatched] ? _pasteMatched + 1 : (bytes[i] == Esc ? 1 : 0);
            if (_pasteMatched == PasteEnd.Length)
            {
                _inPaste = false;
                _pasteMatched = 0;
                return i + 1;
            }
        }
        return i;
    }

    /// <summary>Decodes one sequence starting with ESC; returns the bytes used, 0 when incomplete.</summary>
    private int Escape(ReadOnlySpan<byte> s, List<TuiInput> result)
    {
        if (s.Length == 1)
        {
            // A lone ESC at the end of a read: the Escape key.
            result.Add(new KeyInput(TuiKey.Escape));
            return 1;
        }
        switch (s[1])
        {
            case (byte)'[':
                return Csi(s, result);
            case (byte)'O':
                if (s.Length < 3) return 0;
                var ss3 = s[2] switch
                {
                    (byte)'A' => TuiKey.Up, (byte)'B' => TuiKey.Down, (byte)'C' => TuiKey.Right, (byte)'D' => TuiKey.Left,
                    (byte)'H' => TuiKey.Home, (byte)'F' => TuiKey.End, _ => (TuiKey?)null,
                };
                if (ss3 is { } k) result.Add(new KeyInput(k));
                return 3;
            case Esc:
                result.Add(new KeyInput(TuiKey.Escape));
                return 1;
            default:
                // Alt+key: the key alone.
                var key = Single(s[1]);
                if (key is not null) result.Add(key);
                return 2;
        }
    }

    private int Csi(ReadOnlySpan<byte> s, List<TuiInput> result)
    {
        // CSI [private marker] parameters final; the final byte is 0x40-0x7e.
        var end = 2;
        while (end < s.Length && s[end] is < 0x40 or > 0x7e) end++;
        if (end >= s.Length) return 0;
        var final = (char)s[end];
        var body = System.Text.Encoding.ASCII.GetString(s[2..end]);
        var used = end + 1;
        if (body.StartsWith('<'))
        {
            if (final is 'M' or 'm' && Mouse(body[1..], final == 'M') is { } mouse) result.Add(mouse);
            return used;
        }
        if (body.StartsWith('?'))
        {
            if (final == 'c') result.Add(new DeviceAttributesInput(Numbers(body[1..])));
            return used;
        }
        var numbers = Numbers(body);
        var first = numbers.Count > 0 ? numbers[0] : 0;
        TuiKey? key = final switch
        {
            'A' => TuiKey.Up,
            'B' => TuiKey.Down,
            'C' => TuiKey.Right,
            'D' => TuiKey.Left,
            'H' => TuiKey.Home,
            'F' => TuiKey.End,
            'Z' => TuiKey.ShiftTab,
            '~' => first switch
            {
                1 or 7 => TuiKey.Home,
                4 or 8 => TuiKey.End,
                5 => TuiKey.PageUp,
                6 => TuiKey.PageDown,
                _ => null,
            },
            _ => null,
        };
        if (final == '~' && first == 200)
        {
            _inPaste = true;
            _pasteMatched = 0;
        }
        if (key is { } k) result.Add(new KeyInput(k));
        return used;
    }

    private static MouseInput? Mouse(string body, bool press)
    {
        var n = Numbers(body);
        if (n.Count != 3) return null;
        var (button, column, row) = (n[0], n[1] - 1, n[2] - 1);
        if (column < 0 || row < 0) return null;
        TuiMouseAction action;
        if ((button & 64) != 0) action = (button & 1) == 0 ? TuiMouseAction.WheelUp : TuiMouseAction.WheelDown;
        else if ((button & 32) != 0) action = TuiMouseAction.Motion;
        else if (!press) action = TuiMouseAction.Release;
        else action = (button & 3) switch { 0 => TuiMouseAction.LeftPress, 1 => TuiMouseAction.MiddlePress, 2 => TuiMouseAction.RightPress, _ => TuiMouseAction.Release };
        return new MouseInput(action, column, row);
    }

    private static List<int> Numbers(string body)
    {
        var list = new List<int>();
        foreach (var part in body.Split(';'))
            if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) list.Add(value);
        return list;
    }
}
