using Gateway.Testing;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Gateway.Node.Tests.Http.Grpc;
using Gateway.Node.Tests.Http.Support;
using Gateway.Node.Http;
using Grpc.Net.Client;

namespace Gateway.Node.Tests.Http;

/// <summary>gRPC over h2c, TLS to https upstreams through the dialed stream, WebSockets.</summary>
public sealed class ProtocolTests
{
    [Fact]
    public async Task Grpc_unary_call_reaches_an_h2c_upstream_through_the_tunnel()
    {
        await using var upstream = await UpstreamServer.StartAsync("grpc", UpstreamMode.H2c);
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("g", "grpc.test", "h2c://localhost:50051")]);
        gateway.Config.UpdateEndpoints("g", ["ep1"]);

        using var channel = GrpcChannel.ForAddress(gateway.Url("grpc.test"), new GrpcChannelOptions { HttpHandler = gateway.CreateHandler() });
        var client = new Echo.EchoClient(channel);
        var reply = await client.SayAsync(new EchoRequest { Text = "hi" }, deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.Equal("echo: hi", reply.Text);
        Assert.Equal("HTTP/2", reply.Protocol);
        Assert.Equal($"grpc.test:{gateway.Port}", reply.Authority);

        var second = await client.SayAsync(new EchoRequest { Text = "again" }, deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.Equal("echo: again", second.Text);
        Assert.Single(dialer.Dials);
        Assert.Equal(new Uri("h2c://localhost:50051"), dialer.Dials.Single().Upstream);
    }

    [Fact]
    public async Task Https_upstream_gets_tls_end_to_end_over_the_dialed_stream()
    {
        var upstreamCaTemp = new TempDirectory();
        var upstreamCaDir = upstreamCaTemp.Path;
        try
        {
            using var upstreamCa = new LocalCertificateAuthority(upstreamCaDir);
            using var certificate = upstreamCa.IssueLeaf("upstream.internal");
            await using var upstream = await UpstreamServer.StartAsync("tls", UpstreamMode.Https, certificate);
            var dialer = new TestTunnelDialer();
            dialer.MapEndpoint("ep1", upstream.EndPoint);
            var trusting = Routes.Public("t", "tls.test", "https://upstream.internal:8443") with { TlsSkipVerify = true };
            var strict = Routes.Public("s", "strict.test", "https://upstream.internal:8443");
            await using var gateway = await GatewayTestHost.StartAsync(dialer, [trusting, strict]);
            gateway.Config.UpdateEndpoints("t", ["ep1"]);
            gateway.Config.UpdateEndpoints("s", ["ep1"]);

            var ok = await ProcessRunner.CurlAsync(gateway.CaPath, "tls.test", gateway.Port, "/secure", "--http1.1");
            Assert.Equal(0, ok.ExitCode);
            Assert.EndsWith("200 1.1", ok.StdOut);
            Assert.Contains("scheme=https;", ok.StdOut);
            Assert.Contains($"host=tls.test:{gateway.Port};", ok.StdOut);
            Assert.Equal("upstream.internal", upstream.LastSni);

            // The upstream's CA is not in the system store: validation is on by default.
            var refused = await ProcessRunner.CurlAsync(gateway.CaPath, "strict.test", gateway.Port, "/secure", "--http1.1");
            Assert.EndsWith("502 1.1", refused.StdOut);
        }
        finally
        {
            upstreamCaTemp.Dispose();
        }
    }

    [Fact]
    public async Task WebSocket_echo_passes_through_the_tunnel()
    {
        await using var upstream = await UpstreamServer.StartAsync("ws");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("w", "ws.test", "http://localhost:8080")]);
        gateway.Config.UpdateEndpoints("w", ["ep1"]);

        using var invoker = new HttpMessageInvoker(gateway.CreateHandler());
        using var socket = new ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new Uri($"wss://ws.test:{gateway.Port}/ws"), invoker, cts.Token);
        var buffer = new byte[1024];
        for (var i = 0; i < 3; i++)
        {
            var text = $"hello {i}";
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cts.Token);
            var received = await socket.ReceiveAsync(buffer, cts.Token);
            Assert.True(received.EndOfMessage);
            Assert.Equal(text, Encoding.UTF8.GetString(buffer, 0, received.Count));
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Single(dialer.Dials);
    }

    [Fact]
    public async Task WebSocket_outlives_the_route_timeout()
    {
        await using var upstream = await UpstreamServer.StartAsync("ws");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        var route = Routes.Public("w", "ws.test", "http://localhost:8080") with { Timeout = TimeSpan.FromSeconds(1) };
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [route]);
        gateway.Config.UpdateEndpoints("w", ["ep1"]);

        using var invoker = new HttpMessageInvoker(gateway.CreateHandler());
        using var socket = new ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new Uri($"wss://ws.test:{gateway.Port}/ws"), invoker, cts.Token);
        await Task.Delay(TimeSpan.FromSeconds(2.5), cts.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes("late"), WebSocketMessageType.Text, true, cts.Token);
        var buffer = new byte[64];
        var received = await socket.ReceiveAsync(buffer, cts.Token);
        Assert.Equal("late", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
    }

    [Fact]
    public async Task Insecure_listener_serves_plain_http1()
    {
        await using var upstream = await UpstreamServer.StartAsync("plain");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("p", "plain.test", "http://localhost:8080")], insecure: true);
        gateway.Config.UpdateEndpoints("p", ["ep1"]);

        foreach (var (flag, version) in new[] { ("--http1.1", "1.1") })
        {
            var result = await ProcessRunner.RunAsync("curl",
                ["-sS", "--max-time", "30", flag, "-w", "\n%{http_code} %{http_version}", $"http://127.0.0.1:{gateway.Port}/x", "-H", $"Host: plain.test:{gateway.Port}"],
                TimeSpan.FromSeconds(60));
            Assert.True(result.ExitCode == 0, $"{flag}: exit {result.ExitCode} {result.StdErr}");
            Assert.EndsWith($"200 {version}", result.StdOut);
            Assert.Contains("name=plain;", result.StdOut);
        }
    }
}
