using System.Text;
using Gateway.Node.SshSessions.Tui;

namespace Gateway.Node.Tests.Tui;

public sealed class TuiInputDecoderTests
{
    private static List<TuiInput> Decode(params string[] reads)
    {
        var decoder = new TuiInputDecoder();
        var all = new List<TuiInput>();
        foreach (var read in reads) all.AddRange(decoder.Decode(Encoding.UTF8.GetBytes(read)));
        return all;
    }

    [Theory]
    [InlineData("\t", TuiKey.Tab)]
    [InlineData("\u001b[Z", TuiKey.ShiftTab)]
    [InlineData("\r", TuiKey.Enter)]
    [InlineData("\u0003", TuiKey.CtrlC)]
    [InlineData("\u001b[A", TuiKey.Up)]
    [InlineData("\u001b[B", TuiKey.Down)]
    [InlineData("\u001b[C", TuiKey.Right)]
    [InlineData("\u001b[D", TuiKey.Left)]
    [InlineData("\u001bOA", TuiKey.Up)]
    [InlineData("\u001bOB", TuiKey.Down)]
    [InlineData("\u001b[1;5A", TuiKey.Up)]
    [InlineData("\u001b[5~", TuiKey.PageUp)]
    [InlineData("\u001b[6~", TuiKey.PageDown)]
    [InlineData("\u001b[H", TuiKey.Home)]
    [InlineData("\u001b[F", TuiKey.End)]
    [InlineData("\u001b[1~", TuiKey.Home)]
    [InlineData("\u001b[4~", TuiKey.End)]
    [InlineData("\u001bOH", TuiKey.Home)]
    [InlineData("\u001bOF", TuiKey.End)]
    [InlineData("\u001b", TuiKey.Escape)]
    public void Keys(string sequence, TuiKey key)
        => Assert.Equal([new KeyInput(key)], Decode(sequence));

    [Fact]
    public void Printable_characters_are_char_keys_in_order()
        => Assert.Equal([KeyInput.Of('q'), KeyInput.Of('j'), KeyInput.Of('k'), KeyInput.Of('1')], Decode("qjk1"));

    [Fact]
    public void A_sequence_split_across_reads_is_kept_until_complete()
        => Assert.Equal([new KeyInput(TuiKey.PageDown), new MouseInput(TuiMouseAction.LeftPress, 9, 4)], Decode("\u001b[6", "~\u001b[<0;10", ";5M"));

    [Theory]
    [InlineData("\u001b[<0;10;5M", TuiMouseAction.LeftPress)]
    [InlineData("\u001b[<2;10;5M", TuiMouseAction.RightPress)]
    [InlineData("\u001b[<1;10;5M", TuiMouseAction.MiddlePress)]
    [InlineData("\u001b[<0;10;5m", TuiMouseAction.Release)]
    [InlineData("\u001b[<64;10;5M", TuiMouseAction.WheelUp)]
    [InlineData("\u001b[<65;10;5M", TuiMouseAction.WheelDown)]
    [InlineData("\u001b[<32;10;5M", TuiMouseAction.Motion)]
    [InlineData("\u001b[<4;10;5M", TuiMouseAction.LeftPress)] // with shift
    public void Sgr_mouse_reports_count_cells_from_zero(string sequence, TuiMouseAction action)
        => Assert.Equal([new MouseInput(action, 9, 4)], Decode(sequence));

    [Fact]
    public void Bracketed_paste_is_dropped_whole_even_across_reads()
        => Assert.Equal([KeyInput.Of('a'), KeyInput.Of('b')], Decode("a\u001b[200~q\tq\u001b[A", "\u0003more\u001b[20", "1~b"));

    [Fact]
    public void Device_attributes_answer_tells_whether_the_clipboard_works()
    {
        var with = Assert.IsType<DeviceAttributesInput>(Assert.Single(Decode("\u001b[?62;22;52c")));
        Assert.True(with.SupportsClipboard);
        var without = Assert.IsType<DeviceAttributesInput>(Assert.Single(Decode("\u001b[?1;2c")));
        Assert.False(without.SupportsClipboard);
    }

    [Fact]
    public void Unknown_sequences_and_control_bytes_are_skipped()
        => Assert.Equal([KeyInput.Of('x')], Decode("\u001b[2~\u001b[3~\u0001\u007f\u001b[99zx"));

    [Fact]
    public void Alt_key_is_the_key()
        => Assert.Equal([KeyInput.Of('q')], Decode("\u001bq"));
}
