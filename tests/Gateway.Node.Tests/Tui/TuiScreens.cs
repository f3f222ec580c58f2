using Gateway.Actors.Sessions;
using Gateway.Contracts.Tunnels;
using Gateway.Node.SshSessions.Tui;

namespace Gateway.Node.Tests.Tui;

/// <summary>A fixed session state for the golden screens: forwards, routes, open, closed, probe and relayed connections, a warning.</summary>
internal static class TuiScreens
{
    public static readonly DateTime Now = new(2026, 3, 4, 12, 0, 30, DateTimeKind.Utc);

    public static TunnelStatusModel Model()
    {
        var model = new TunnelStatusModel(new TuiIdentity("alice@example.com", "127.0.0.1:50022", "ssh-1-0a1b2c3d"));
        model.Apply(new ForwardsUpdated(
            [new ForwardRequestSnapshot("localhost", "D 40001", true, 2), new ForwardRequestSnapshot("https-b.example.com", "443", false, 1)],
            [
                new RouteSnapshot("a", "https://https-a.example.com:443", [new Uri("http://localhost:8080")], true, EndpointHealth.Healthy, true),
                new RouteSnapshot("b", "https://https-b.example.com:443", [new Uri("http://localhost:8081")], true, EndpointHealth.Unhealthy, true),
                new RouteSnapshot("c", "https://https-c.example.com:443", [new Uri("h2c://localhost:8079")], true, EndpointHealth.Unknown, false),
                new RouteSnapshot("d", "https://https-d.example.com:443", [new Uri("http://localhost:9000")], false, EndpointHealth.Unknown, false),
            ]));
        model.Apply(new ConnectionsUpdated(
        [
            new ConnectionSnapshot("1", 3, "https-a.example.com", "127.0.0.1:41000", "/index.html", null, Now.AddSeconds(-30), 812, 1_300_000, Now.AddSeconds(-28), null),
            new ConnectionSnapshot("2", 4, "https-a.example.com", DownstreamOpened.HealthCheck, null, null, Now.AddSeconds(-12), 90, 120, Now.AddSeconds(-12), null),
            new ConnectionSnapshot("3", 5, "https-b.example.com", "10.0.0.7:52000", "/api", "10.0.0.2:4053", Now.AddSeconds(-5), 2048, 4096, null, null),
            new ConnectionSnapshot("4", 6, "https-a.example.com", "127.0.0.1:41002", "/big", null, Now.AddSeconds(-1.5), 100, 5_000_000, null, null),
        ]));
        model.Log(Now.AddSeconds(-29), "forward \"localhost\" port D 40001 (dynamic): serving https-a.example.com, https-c.example.com");
        model.Log(Now.AddSeconds(-20), "warning: ssh client may be expecting dynamic port-forwarding");
        model.Log(Now.AddSeconds(-20), "   hint: request port 0 instead of 443 (ex: '-R https-b.example.com:0')");
        model.Log(Now.AddSeconds(-19), "warning: ssh client may be expecting dynamic port-forwarding");
        model.Log(Now.AddSeconds(-19), "   hint: request port 0 instead of 443 (ex: '-R https-b.example.com:0')");
        return model;
    }

    public static string Render(TunnelStatusModel model, TuiViewState view)
        => string.Join("\n", new TuiRenderer(ansi: false).Render(model, view, Now).Select(r => r.TrimEnd())) + "\n";
}
