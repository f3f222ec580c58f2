using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Actors.Endpoints;
using Gateway.Config;
using Gateway.Contracts.Tunnels;
using Gateway.Node.Balancing;
using Gateway.Node.Hosting;
using Gateway.Node.Http;
using Gateway.Node.Tests.Http.Support;
using Gateway.Node.Tunnels;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Node.Tests.Balancing;

/// <summary>
/// The request path with endpoint health, in process: Kestrel + YARP with the gateway's policies,
/// the destination feed following a real <see cref="EndpointTable"/> whose entries carry health,
/// and a dialer that reaches one loopback upstream per endpoint.
/// </summary>
public sealed class HealthRoutingTests
{
    private static readonly HealthCheckConfig TcpCheck = new()
    {
        Timeout = TimeSpan.FromSeconds(1),
        Interval = TimeSpan.FromSeconds(1),
        UnhealthyThreshold = 1,
        HealthyThreshold = 1,
        Tcp = new TcpHealthCheck(null, []),
    };

    private static RouteConfig CheckedRoute(double threshold)
        => Routes.Public("r1", "app.test", "http://localhost:3000") with { HealthChecks = [TcpCheck], HealthyPanicThreshold = threshold };

    private static TunnelEndpoint Endpoint(string id, EndpointHealth health) => new(id, "r1", "akka.tcp://gw@127.0.0.1:1", "s-" + id, "alice@example.com",
        "127.0.0.1:1", false, "localhost", 3000, DateTimeOffset.UnixEpoch.AddSeconds(id[0]), health, DateTimeOffset.UtcNow);

    private sealed class Harness : IAsyncDisposable
    {
        public required GatewayTestHost Gateway { get; init; }
        public required ProxyDestinationFeed Feed { get; init; }
        public required EndpointTable Table { get; init; }
        public required TestTunnelDialer Dialer { get; init; }
        public required List<IAsyncDisposable> Upstreams { get; init; }

        public async ValueTask DisposeAsync()
        {
            await Feed.StoppedAsync(CancellationToken.None);
            Feed.Dispose();
            await Gateway.DisposeAsync();
            foreach (var upstream in Upstreams) await upstream.DisposeAsync();
        }
    }

    private static async Task<Harness> StartAsync(RouteConfig route, IReadOnlyDictionary<string, IPEndPoint> endpoints)
    {
        var table = new EndpointTable();
        var dialer = new TestTunnelDialer();
        foreach (var (id, target) in endpoints) dialer.MapEndpoint(id, target);
        var gateway = await GatewayTestHost.StartAsync(dialer, [route], endpoints: table);
        var feed = new ProxyDestinationFeed(gateway.Config, table, gateway.Services.GetRequiredService<EndpointSuspects>(),
            gateway.Services.GetRequiredService<ProxyHealthState>());
        await feed.StartingAsync(CancellationToken.None);
        return new Harness { Gateway = gateway, Feed = feed, Table = table, Dialer = dialer, Upstreams = [] };
    }

    /// <summary>Which upstream answered each of <paramref name="count"/> requests (its name), or the status for a gateway answer.</summary>
    private static async Task<List<string>> SendAsync(Harness h, HttpClient client, int count)
    {
        var answers = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync(h.Gateway.Url("app.test", "/"));
            answers.Add(response.Headers.TryGetValues("X-Upstream", out var names) ? names.Single() : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return answers;
    }

    /// <summary>Sends batches until every answer of one batch satisfies <paramref name="done"/> (health is applied ~50 ms after a change).</summary>
    private static async Task<List<string>> UntilAsync(Harness h, HttpClient client, Func<List<string>, bool> done)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var answers = await SendAsync(h, client, 12);
            if (done(answers)) return answers;
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "not reached within 10 s; last answers: " + string.Join(",", answers));
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Requests_go_to_healthy_endpoints_then_degraded_then_all_in_panic()
    {
        await using var a = await UpstreamServer.StartAsync("a");
        await using var b = await UpstreamServer.StartAsync("b");
        await using var c = await UpstreamServer.StartAsync("c");
        // 30%: one passing endpoint of three is enough to avoid panic.
        await using var h = await StartAsync(CheckedRoute(30), new Dictionary<string, IPEndPoint> { ["a"] = a.EndPoint, ["b"] = b.EndPoint, ["c"] = c.EndPoint });
        using var client = h.Gateway.CreateClient();

        h.Table.Apply([Endpoint("a", EndpointHealth.Healthy), Endpoint("b", EndpointHealth.Unhealthy), Endpoint("c", EndpointHealth.Degraded)], [], []);
        await UntilAsync(h, client, answers => answers.All(x => x == "a"));

        // The healthy one fails its checks (an update of its entry): the degraded one takes over.
        h.Table.Apply([Endpoint("a", EndpointHealth.Unhealthy)], [], []);
        await UntilAsync(h, client, answers => answers.All(x => x == "c"));

        // None passes: 0% is below 30%, panic, every endpoint takes requests again.
        h.Table.Apply([Endpoint("c", EndpointHealth.Unhealthy)], [], []);
        var spread = await UntilAsync(h, client, answers => answers.Distinct().Count() == 3);
        Assert.All(spread, x => Assert.Contains(x, new[] { "a", "b", "c" }));
        var figure = h.Gateway.Services.GetRequiredService<RouteHealthView>().Figure("r1");
        Assert.True(figure.Panic);
        Assert.Equal(3, figure.Unhealthy);
    }

    [Fact]
    public async Task Threshold_zero_with_no_passing_endpoint_answers_503_at_once_without_a_dial()
    {
        await using var a = await UpstreamServer.StartAsync("a");
        await using var b = await UpstreamServer.StartAsync("b");
        await using var h = await StartAsync(CheckedRoute(0), new Dictionary<string, IPEndPoint> { ["a"] = a.EndPoint, ["b"] = b.EndPoint });
        using var client = h.Gateway.CreateClient();

        h.Table.Apply([Endpoint("a", EndpointHealth.Healthy), Endpoint("b", EndpointHealth.Unknown)], [], []);
        await UntilAsync(h, client, answers => answers.All(x => x == "a"));

        h.Table.Apply([Endpoint("a", EndpointHealth.Unhealthy)], [], []);
        await UntilAsync(h, client, answers => answers.All(x => x == "503"));
        var dials = h.Dialer.Dials.Count;

        var times = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await client.GetAsync(h.Gateway.Url("app.test", "/"));
            var body = await response.Content.ReadAsStringAsync();
            times.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("the upstreams of app.test are failing health checks", body);
            Assert.Matches("Request id: <code>[^<]+</code>", body);
        }
        times.Sort();
        Assert.True(times[times.Count / 2] < 50, "median " + times[times.Count / 2] + " ms");
        Assert.True(times[^1] < 1000, "slowest " + times[^1] + " ms");
        Assert.Equal(dials, h.Dialer.Dials.Count);

        // It passes again: served again, with no timeout to wait for.
        h.Table.Apply([Endpoint("b", EndpointHealth.Healthy)], [], []);
        await UntilAsync(h, client, answers => answers.All(x => x == "b"));
    }

    [Fact]
    public async Task Five_502s_in_a_row_eject_an_endpoint_on_this_node_and_status_figures_show_it()
    {
        await using var good = await UpstreamServer.StartAsync("good");
        await using var bad = await BadGatewayServer.StartAsync();
        // No health checks: outlier detection alone.
        await using var h = await StartAsync(Routes.Public("r1", "app.test", "http://localhost:3000"),
            new Dictionary<string, IPEndPoint> { ["a"] = good.EndPoint, ["b"] = bad.EndPoint });
        using var client = h.Gateway.CreateClient();
        h.Table.Apply([Endpoint("a", EndpointHealth.Unknown), Endpoint("b", EndpointHealth.Unknown)], [], []);
        await UntilAsync(h, client, answers => answers.Contains("502") && answers.Contains("good"));

        // Round robin over two: within a few batches b has answered 502 five times in a row.
        await UntilAsync(h, client, answers => answers.All(x => x == "good"));
        var seen = bad.Requests;
        Assert.True(seen >= TunnelOutlierDetection.ConsecutiveFailuresToEject, $"{seen} requests reached the failing upstream");
        Assert.All(await SendAsync(h, client, 12), x => Assert.Equal("good", x));
        Assert.Equal(seen, bad.Requests);
        var view = h.Gateway.Services.GetRequiredService<RouteHealthView>();
        Assert.Equal(["b"], view.Figure("r1").Ejected);
        Assert.Equal(2, view.Figure("r1").Unknown);

        // Both ejected would leave none: the passive marks are disregarded instead.
        var state = h.Gateway.Services.GetRequiredService<ProxyHealthState>();
        Assert.True(state.Eject("r1", ProxyConfigBuilder.DestinationId("a", 0), TimeSpan.FromSeconds(30)));
        await UntilAsync(h, client, answers => answers.Contains("good") && answers.Contains("502"));
    }

    /// <summary>An upstream that answers every request with 502 and closes.</summary>
    private sealed class BadGatewayServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private int _requests;

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

        public int Requests => Volatile.Read(ref _requests);

        public static Task<BadGatewayServer> StartAsync()
        {
            var server = new BadGatewayServer();
            server._listener.Start();
            _ = server.AcceptAsync();
            return Task.FromResult(server);
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try { socket = await _listener.AcceptSocketAsync(_stop.Token); }
                catch (Exception) { return; }
                _ = ServeAsync(socket);
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            using var _ = socket;
            await using var stream = new NetworkStream(socket);
            var buffer = new byte[8192];
            var seen = new StringBuilder();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer, timeout.Token);
                    if (n == 0) return;
                    seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
                Interlocked.Increment(ref _requests);
                await stream.WriteAsync("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), timeout.Token);
            }
            catch (Exception) when (timeout.IsCancellationRequested)
            {
            }
        }

        public ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
