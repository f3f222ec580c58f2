using System.Net;
using System.Net.WebSockets;
using System.Text;
using Gateway.Node.Tests.Http.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// A WebSocket echo through a tunnel: a real Kestrel upstream (UseWebSockets, /ws echoes every
/// message) behind <c>ssh -N -R 0</c>, ClientWebSocket over wss:// to the node.
/// </summary>
public sealed class WebSocketThroughTunnelTests() : UpstreamBehindTunnel("ws.example.com", "ws-laptop")
{
    [Fact]
    public Task Text_and_binary_messages_echo_intact_over_wss() => EchoAsync(HttpVersion.Version11);

    /// <summary>RFC 8441: the WebSocket as an extended CONNECT stream of an HTTP/2 connection to the node, HTTP/1.1 upgrade upstream.</summary>
    [Fact]
    public Task Text_and_binary_messages_echo_intact_over_wss_on_http2() => EchoAsync(HttpVersion.Version20);

    private async Task EchoAsync(Version version)
    {
        await Scenario.ConnectAsync("alice", Host);
        var trust = new NodeTrust(Scenario.Node);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var invoker = new HttpMessageInvoker(trust.CreateHandler());
        using var socket = new ClientWebSocket();
        socket.Options.HttpVersion = version;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        await socket.ConnectAsync(trust.Url("wss", Host, "/ws"), invoker, timeout.Token);
        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.Equal(version == HttpVersion.Version20 ? HttpStatusCode.OK : HttpStatusCode.SwitchingProtocols, socket.HttpStatusCode);

        for (var i = 0; i < 10; i++)
        {
            var text = $"hello {i} ünïcødé";
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
            var (type, payload) = await ReceiveMessageAsync(socket, timeout.Token);
            Assert.Equal(WebSocketMessageType.Text, type);
            Assert.Equal(text, Encoding.UTF8.GetString(payload));
        }

        // Binary messages larger than one SSH channel packet and the upstream's 64 KiB read buffer.
        foreach (var size in new[] { 1, 40_000, 300_000 })
        {
            var data = new byte[size];
            new Random(size).NextBytes(data);
            await socket.SendAsync(data, WebSocketMessageType.Binary, true, timeout.Token);
            var (type, payload) = await ReceiveMessageAsync(socket, timeout.Token);
            Assert.Equal(WebSocketMessageType.Binary, type);
            Assert.Equal(data, payload);
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal("bye", socket.CloseStatusDescription);
    }

    /// <summary>Reads one whole message; the upstream echoes a large message as several frames of one message.</summary>
    private static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveMessageAsync(ClientWebSocket socket, CancellationToken ct)
    {
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var type = WebSocketMessageType.Close;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            type = result.MessageType;
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
                break;
        }
        return (type, message.ToArray());
    }
}
