using Gateway.Node.SshSessions.Tui;

namespace Gateway.Node.Tests.Tui;

/// <summary>Keys and mouse on the view state (layout of 80x24 with every panel: Forwards' first data row is screen row 12).</summary>
public sealed class TuiViewStateTests
{
    private static TuiAction Press(TuiViewState view, TuiInput input, int rows = 4)
        => view.Handle(input, _ => rows, r => r is >= 0 and < 4 ? $"https://route-{r}:443" : null);

    [Fact]
    public void Tab_and_shift_tab_cycle_the_visible_panels()
    {
        var view = new TuiViewState(80, 24);
        Assert.Equal(TuiPanel.Connections, view.Focus);
        Press(view, new KeyInput(TuiKey.Tab));
        Assert.Equal(TuiPanel.Requests, view.Focus);
        Press(view, KeyInput.Of('3')); // hide Port Forward Status
        Press(view, new KeyInput(TuiKey.Tab));
        Assert.Equal(TuiPanel.Logs, view.Focus);
        Press(view, new KeyInput(TuiKey.Tab));
        Assert.Equal(TuiPanel.Connections, view.Focus);
        Press(view, new KeyInput(TuiKey.ShiftTab));
        Assert.Equal(TuiPanel.Logs, view.Focus);
    }

    [Fact]
    public void Hiding_the_focused_panel_moves_the_focus()
    {
        var view = new TuiViewState(80, 24);
        Press(view, KeyInput.Of('1'));
        Assert.DoesNotContain(TuiPanel.Connections, view.Visible);
        Assert.Equal(TuiPanel.Requests, view.Focus);
        Press(view, KeyInput.Of('1'));
        Assert.Contains(TuiPanel.Connections, view.Visible);
    }

    [Fact]
    public void Arrows_j_k_page_home_end_move_the_selection_within_the_rows()
    {
        var view = new TuiViewState(80, 24);
        Press(view, new KeyInput(TuiKey.Down), 50);
        Press(view, KeyInput.Of('j'), 50);
        Assert.Equal(2, view.Selected(TuiPanel.Connections));
        Press(view, KeyInput.Of('k'), 50);
        Assert.Equal(1, view.Selected(TuiPanel.Connections));
        Press(view, new KeyInput(TuiKey.End), 50);
        Assert.Equal(49, view.Selected(TuiPanel.Connections));
        Assert.Equal(49 - view.Layout.Capacity(TuiPanel.Connections) + 1, view.TableTop(TuiPanel.Connections, 50));
        Press(view, new KeyInput(TuiKey.PageUp), 50);
        Assert.Equal(49 - view.Layout.Capacity(TuiPanel.Connections), view.Selected(TuiPanel.Connections));
        Press(view, new KeyInput(TuiKey.Home), 50);
        Assert.Equal(0, view.Selected(TuiPanel.Connections));
        Press(view, new KeyInput(TuiKey.Up), 50);
        Assert.Equal(0, view.Selected(TuiPanel.Connections));
    }

    [Fact]
    public void Logs_follow_their_end_until_scrolled_up_and_again_after_end()
    {
        var view = new TuiViewState(80, 24);
        var capacity = view.Layout.Capacity(TuiPanel.Logs);
        Assert.Equal(100 - capacity, view.Top(TuiPanel.Logs, 100));
        // The wheel over the Logs panel scrolls it without focusing it.
        Press(view, new MouseInput(TuiMouseAction.WheelUp, 5, 20), 100);
        Assert.False(view.FollowLogs);
        Assert.Equal(100 - capacity - 3, view.Top(TuiPanel.Logs, 100));
        Press(view, new MouseInput(TuiMouseAction.LeftPress, 5, 20), 100);
        Assert.Equal(TuiPanel.Logs, view.Focus);
        Press(view, new KeyInput(TuiKey.End), 100);
        Assert.True(view.FollowLogs);
    }

    [Fact]
    public void Click_focuses_the_panel_and_selects_the_row_under_the_pointer()
    {
        var view = new TuiViewState(80, 24);
        Assert.Equal(12, view.Layout.FirstDataRow(TuiPanel.Forwards));
        Press(view, new MouseInput(TuiMouseAction.LeftPress, 40, 13));
        Assert.Equal(TuiPanel.Forwards, view.Focus);
        Assert.Equal(1, view.Selected(TuiPanel.Forwards));
        Assert.Null(view.Menu);
    }

    [Fact]
    public void Copy_remote_url_is_offered_only_when_the_terminal_takes_osc52()
    {
        var view = new TuiViewState(80, 24);
        Press(view, new MouseInput(TuiMouseAction.RightPress, 40, 12));
        Assert.Equal([TuiMenu.Close], view.Menu!.Items);
        Press(view, new KeyInput(TuiKey.Escape));
        Assert.Null(view.Menu);

        Press(view, new DeviceAttributesInput([62, 22, 52]));
        Press(view, new KeyInput(TuiKey.Down));
        Press(view, new KeyInput(TuiKey.Enter));
        Assert.Equal([TuiMenu.Copy, TuiMenu.Close], view.Menu!.Items);
        Assert.Equal(new CopyAction("https://route-1:443"), Press(view, new KeyInput(TuiKey.Enter)));
        Assert.Null(view.Menu);
    }

    [Fact]
    public void A_click_on_a_menu_item_chooses_it()
    {
        var view = new TuiViewState(80, 24);
        Press(view, new DeviceAttributesInput([62, 52]));
        Press(view, new MouseInput(TuiMouseAction.RightPress, 40, 12));
        var (_, column, _) = view.Menu!.ItemColumns().First();
        Assert.Equal(new CopyAction("https://route-0:443"), Press(view, new MouseInput(TuiMouseAction.LeftPress, column + 2, 23)));
    }

    [Fact]
    public void Q_and_ctrl_c_quit_but_q_in_a_menu_only_closes_it()
    {
        var view = new TuiViewState(80, 24);
        Assert.Equal(TuiAction.Quit, Press(view, KeyInput.Of('q')));
        Assert.Equal(TuiAction.Quit, Press(view, new KeyInput(TuiKey.CtrlC)));
        Press(view, new MouseInput(TuiMouseAction.RightPress, 40, 12));
        Assert.Equal(TuiAction.Redraw, Press(view, KeyInput.Of('q')));
        Assert.Null(view.Menu);
        Press(view, new MouseInput(TuiMouseAction.RightPress, 40, 12));
        Assert.Equal(TuiAction.Quit, Press(view, new KeyInput(TuiKey.CtrlC)));
    }

    [Fact]
    public void Screen_diff_sends_only_changed_rows_and_nothing_when_idle()
    {
        var diff = new ScreenDiff();
        var first = diff.Next(["a", "b", "c"]);
        Assert.StartsWith(TerminalControl.ClearScreen, first);
        Assert.Equal("", diff.Next(["a", "b", "c"]));
        Assert.Equal(TerminalControl.MoveTo(1, 0) + "B" + TerminalControl.ResetStyle, diff.Next(["a", "B", "c"]));
        diff.Invalidate();
        Assert.StartsWith(TerminalControl.ClearScreen, diff.Next(["a", "B", "c"]));
    }
}
