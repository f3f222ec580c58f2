using System.Text.RegularExpressions;
using Gateway.Node.SshSessions.Tui;

namespace Gateway.Node.Tests.Tui;

/// <summary>
/// Golden screens: the TUI rendered to a fixed-size virtual terminal as plain text, compared with
/// the files in Golden/ (regenerate one by writing the actual text the failure shows).
/// </summary>
public sealed partial class TuiRenderingTests
{
    /// <summary>With <c>UPDATE_GOLDEN=1</c> the source file is rewritten instead (review the diff).</summary>
    private static void AssertGolden(string name, string actual, [System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(source)!, "Golden", name), actual);
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Tui", "Golden", name));
        Assert.True(expected == actual, $"{name} differs; actual:\n{actual}");
    }

    private static TuiAction Press(TuiViewState view, TuiInput input) => view.Handle(input, _ => 4, r => r is >= 0 and < 4 ? $"https://route-{r}:443" : null);

    [Fact]
    public void Full_screen_at_80x24()
        => AssertGolden("full-80x24.txt", TuiScreens.Render(TuiScreens.Model(), new TuiViewState(80, 24)));

    [Fact]
    public void Hidden_panels_give_their_rows_to_the_others()
    {
        var view = new TuiViewState(100, 30);
        Press(view, KeyInput.Of('1'));
        Press(view, KeyInput.Of('3'));
        AssertGolden("requests-and-logs-100x30.txt", TuiScreens.Render(TuiScreens.Model(), view));
    }

    [Fact]
    public void All_panels_hidden_says_how_to_bring_them_back()
    {
        var view = new TuiViewState(80, 24);
        foreach (var c in "1234") Press(view, KeyInput.Of(c));
        AssertGolden("all-hidden-80x24.txt", TuiScreens.Render(TuiScreens.Model(), view));
    }

    [Theory]
    [InlineData(79, 24)]
    [InlineData(80, 23)]
    public void Below_80x24_says_the_terminal_is_too_small(int width, int height)
    {
        var screen = TuiScreens.Render(TuiScreens.Model(), new TuiViewState(width, height));
        Assert.Contains($"terminal too small: {width}x{height}, the tunnel status needs at least 80x24", screen);
        if (width == 79) AssertGolden("too-small-79x24.txt", screen);
    }

    [Fact]
    public void Right_click_on_a_route_opens_its_menu_in_the_help_row()
    {
        var view = new TuiViewState(80, 24);
        Press(view, new DeviceAttributesInput([62, 52]));
        Assert.Equal(TuiAction.Redraw, Press(view, new MouseInput(TuiMouseAction.RightPress, 40, 14)));
        Assert.Equal("https://route-2:443", view.Menu!.Remote);
        AssertGolden("menu-80x24.txt", TuiScreens.Render(TuiScreens.Model(), view).Replace("https://route-2:443", "https://x:443"));
    }

    [Fact]
    public void Every_row_fits_the_width_at_any_size()
    {
        foreach (var (w, h) in new[] { (1, 1), (10, 3), (80, 24), (81, 25), (120, 40), (200, 60), (512, 512) })
        {
            var rows = new TuiRenderer(ansi: false).Render(TuiScreens.Model(), new TuiViewState(w, h), TuiScreens.Now);
            Assert.Equal(h, rows.Length);
            Assert.All(rows, r => Assert.True(r.Length <= w, $"{w}x{h}: '{r}'"));
        }
    }

    [Fact]
    public void Colour_rows_carry_their_own_codes_and_the_same_text()
    {
        var plain = new TuiRenderer(ansi: false).Render(TuiScreens.Model(), new TuiViewState(80, 24), TuiScreens.Now);
        var ansi = new TuiRenderer(ansi: true).Render(TuiScreens.Model(), new TuiViewState(80, 24), TuiScreens.Now);
        Assert.Contains(ansi, r => r.Contains("\u001b[", StringComparison.Ordinal));
        Assert.Equal(plain.Select(r => r.TrimEnd()), ansi.Select(r => Sgr().Replace(r, "").TrimEnd()));
    }

    [GeneratedRegex(@"\u001b\[[0-9;]*m")]
    private static partial Regex Sgr();
}
