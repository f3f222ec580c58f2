using System.Buffers.Binary;
using System.Text;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Connection;

public class GlobalRequestTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Global_replies_follow_request_order_when_handlers_finish_out_of_order()
    {
        await using var pair = new ConnectionPair();
        pair.ServerHandler.Global = async (name, data) =>
        {
            var delay = int.Parse(name.AsSpan(name.IndexOf('-') + 1));
            await Task.Delay(delay);
            return (name.StartsWith("ok"), Encoding.ASCII.GetBytes(name));
        };
        var names = new[] { "ok-300", "no-10", "ok-0", "ok-150", "no-0", "ok-50" };
        var tasks = names.Select(n => pair.Client.SendGlobalRequestAsync(n, true, default)).ToArray();
        var results = await Task.WhenAll(tasks).WaitAsync(Timeout);
        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal(names[i].StartsWith("ok"), results[i].Success);
            if (results[i].Success) Assert.Equal(names[i], Encoding.ASCII.GetString(results[i].Data));
        }
    }

    [Fact]
    public async Task Channel_replies_follow_request_order_when_handlers_finish_out_of_order()
    {
        await using var pair = new ConnectionPair();
        pair.ServeSessions(_ => Task.CompletedTask, async (_, request) =>
        {
            var env = (EnvRequest)request;
            await Task.Delay(int.Parse(env.Value));
            return env.VariableName == "yes";
        });
        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        var spec = new[] { ("yes", "300"), ("no", "0"), ("yes", "100"), ("no", "200"), ("yes", "0") };
        var tasks = spec.Select(s => session.SendRequestAsync(new EnvRequest(s.Item1, s.Item2), wantReply: true)).ToArray();
        var results = await Task.WhenAll(tasks).WaitAsync(Timeout);
        Assert.Equal(spec.Select(s => s.Item1 == "yes"), results);
    }

    [Fact]
    public async Task Unknown_global_request_is_refused_and_keepalive_without_reply_gets_none()
    {
        await using var pair = new ConnectionPair();
        Assert.Equal((false, Array.Empty<byte>()), await pair.Client.SendGlobalRequestAsync("keepalive@openssh.com", true, default).WaitAsync(Timeout));
        var sent = await pair.Client.SendGlobalRequestAsync("keepalive@openssh.com", false, default).WaitAsync(Timeout);
        Assert.True(sent.Success);
        // A stray reply would be matched to this request and break it; the server must stay in step.
        Assert.False((await pair.Client.SendGlobalRequestAsync("x@example.com", true, default).WaitAsync(Timeout)).Success);
        Assert.Null(pair.ClientTransport.HandlerError);
    }

    [Fact]
    public async Task No_more_sessions_refuses_further_session_opens()
    {
        await using var pair = new ConnectionPair();
        pair.ServeSessions(_ => Task.CompletedTask);
        await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        await pair.Client.SendGlobalRequestAsync("no-more-sessions@openssh.com", false, default);
        var ex = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Client.OpenSessionAsync().WaitAsync(Timeout));
        Assert.Equal(ChannelOpenFailureReason.AdministrativelyProhibited, ex.ReasonCode);
    }

    [Fact]
    public async Task Remote_forward_limit_allocation_and_cancel()
    {
        var serverOptions = new SshConnectionOptions { MaxForwardRequests = 128 };
        await using var pair = new ConnectionPair(serverOptions: serverOptions);
        var requests = new List<RemoteForwardRequest>();
        var cancels = new List<(string, uint)>();
        uint nextPort = 20000;
        pair.ServerHandler.Forward = r =>
        {
            lock (requests) requests.Add(r);
            return ValueTask.FromResult(RemoteForwardDecision.Accept(r.Port == 0 ? Interlocked.Increment(ref nextPort) : null));
        };
        pair.ServerHandler.CancelForward = (a, p) => { lock (cancels) cancels.Add((a, p)); return ValueTask.FromResult(true); };

        // Named forward keeps its port; port 0 gets the allocated one in the reply.
        Assert.Equal(443u, await pair.Client.RequestRemoteForwardAsync("name.example", 443).WaitAsync(Timeout));
        Assert.Equal(20001u, await pair.Client.RequestRemoteForwardAsync("localhost", 0).WaitAsync(Timeout));
        for (var i = 2; i < 128; i++)
            Assert.NotNull(await pair.Client.RequestRemoteForwardAsync("", 0).WaitAsync(Timeout));
        Assert.Null(await pair.Client.RequestRemoteForwardAsync("", 0).WaitAsync(Timeout));
        Assert.Equal(128, requests.Count);
        Assert.Equal(new RemoteForwardRequest("name.example", 443, true), requests[0]);
        Assert.Equal(new RemoteForwardRequest("localhost", 0, true), requests[1]);
        Assert.Equal(128, pair.Server.ActiveRemoteForwards.Count);

        // Cancel of an unknown forward fails without asking the handler; a known one frees a slot.
        Assert.False(await pair.Client.CancelRemoteForwardAsync("localhost", 1).WaitAsync(Timeout));
        Assert.True(await pair.Client.CancelRemoteForwardAsync("localhost", 20001).WaitAsync(Timeout));
        Assert.Equal([("localhost", 20001u)], cancels);
        Assert.NotNull(await pair.Client.RequestRemoteForwardAsync("localhost", 0).WaitAsync(Timeout));
        Assert.Equal(128, pair.Server.ActiveRemoteForwards.Count);
    }

    [Fact]
    public async Task Port_zero_without_want_reply_is_refused_without_asking_the_handler()
    {
        await using var pair = new ConnectionPair();
        var asked = 0;
        pair.ServerHandler.Forward = r => { Interlocked.Increment(ref asked); return ValueTask.FromResult(RemoteForwardDecision.Accept(5000)); };
        var data = SshMessageBuilder.Build(w => { w.WriteString("localhost"); w.WriteUInt32(0); });
        await pair.Client.SendGlobalRequestAsync("tcpip-forward", false, data);
        // A later request with a reply proves the first was processed (replies are in order).
        Assert.Equal(80u, await pair.Client.RequestRemoteForwardAsync("localhost", 80).WaitAsync(Timeout));
        Assert.Equal(1, asked);
        Assert.Equal([("localhost", 80u)], pair.Server.ActiveRemoteForwards);
    }

    [Fact]
    public async Task Refused_forward_returns_null()
    {
        await using var pair = new ConnectionPair();
        pair.ServerHandler.Forward = r => ValueTask.FromResult(RemoteForwardDecision.Refuse("no route for you"));
        Assert.Null(await pair.Client.RequestRemoteForwardAsync("localhost", 0).WaitAsync(Timeout));
        Assert.Empty(pair.Server.ActiveRemoteForwards);

        // The reason reaches the client first, as SSH_MSG_DEBUG with always_display (OpenSSH prints it).
        Assert.True(pair.ClientTransport.DebugMessages.TryDequeue(out var debug));
        var reader = new SshReader(debug);
        Assert.Equal(SshMessageNumber.Debug, reader.ReadByte());
        Assert.True(reader.ReadBoolean());
        Assert.Equal("no route for you", reader.ReadString());
    }

    [Fact]
    public async Task Forwarded_tcpip_open_carries_fields_verbatim_and_data_flows()
    {
        await using var pair = new ConnectionPair();
        pair.ServerHandler.Forward = r => ValueTask.FromResult(RemoteForwardDecision.Accept(r.Port == 0 ? 40001u : null));
        ChannelOpenRequest? seen = null;
        pair.ClientHandler.Open = r =>
        {
            seen = r;
            return ValueTask.FromResult(ChannelOpenDecision.Accept(c => _ = EchoAsync(c)));
        };
        Assert.Equal(40001u, await pair.Client.RequestRemoteForwardAsync("localhost", 0).WaitAsync(Timeout));

        var channel = await pair.Server.OpenForwardedTcpIpAsync("localhost", 40001, "203.0.113.5", 5555).WaitAsync(Timeout);
        Assert.Equal(new ChannelOpenRequest("forwarded-tcpip", "localhost", 40001, "203.0.113.5", 5555), seen);
        await channel.Stream.WriteAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray());
        await channel.SendEofAsync();
        var echoed = await channel.Stream.ReadToEndAsync().WaitAsync(Timeout);
        Assert.Equal("GET / HTTP/1.1\r\n\r\n", Encoding.ASCII.GetString(echoed));
        await channel.CloseAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Forwarded_tcpip_refusals_surface_reason_codes()
    {
        await using var pair = new ConnectionPair();
        pair.ServerHandler.Forward = r => ValueTask.FromResult(RemoteForwardDecision.Accept());
        var asked = 0;
        pair.ClientHandler.Open = r =>
        {
            Interlocked.Increment(ref asked);
            return ValueTask.FromResult(ChannelOpenDecision.Refuse(ChannelOpenFailureReason.ConnectFailed, "Connection refused"));
        };
        Assert.Equal(8080u, await pair.Client.RequestRemoteForwardAsync("name", 8080).WaitAsync(Timeout));

        var refused = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Server.OpenForwardedTcpIpAsync("name", 8080, "127.0.0.1", 1).WaitAsync(Timeout));
        Assert.Equal(ChannelOpenFailureReason.ConnectFailed, refused.ReasonCode);
        Assert.Equal("Connection refused", refused.Description);

        // Not a forward the client asked for: refused before its handler, as OpenSSH does.
        var unknown = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Server.OpenForwardedTcpIpAsync("name", 8081, "127.0.0.1", 1).WaitAsync(Timeout));
        Assert.Equal(ChannelOpenFailureReason.AdministrativelyProhibited, unknown.ReasonCode);
        Assert.Equal("open failed", unknown.Description);
        Assert.Equal(1, asked);

        // After cancel the client refuses opens for that forward at once.
        Assert.True(await pair.Client.CancelRemoteForwardAsync("name", 8080).WaitAsync(Timeout));
        var cancelled = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Server.OpenForwardedTcpIpAsync("name", 8080, "127.0.0.1", 1).WaitAsync(Timeout));
        Assert.Equal(ChannelOpenFailureReason.AdministrativelyProhibited, cancelled.ReasonCode);
        Assert.Empty(pair.Server.Channels);
        Assert.Empty(pair.Client.Channels);
    }

    [Fact]
    public async Task Direct_tcpip_is_refused_by_default_and_allowed_by_option()
    {
        await using (var pair = new ConnectionPair())
        {
            pair.ServerHandler.Open = r => ValueTask.FromResult(ChannelOpenDecision.Accept());
            var ex = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Client.OpenDirectTcpIpAsync("example.com", 80, "127.0.0.1", 4000).WaitAsync(Timeout));
            Assert.Equal(ChannelOpenFailureReason.AdministrativelyProhibited, ex.ReasonCode);
        }
        await using (var pair = new ConnectionPair(serverOptions: new SshConnectionOptions { AllowDirectTcpIp = true }))
        {
            ChannelOpenRequest? seen = null;
            pair.ServerHandler.Open = r => { seen = r; return ValueTask.FromResult(ChannelOpenDecision.Accept()); };
            var channel = await pair.Client.OpenDirectTcpIpAsync("example.com", 80, "127.0.0.1", 4000).WaitAsync(Timeout);
            Assert.Equal(new ChannelOpenRequest("direct-tcpip", "example.com", 80, "127.0.0.1", 4000), seen);
            Assert.Equal("direct-tcpip", channel.Type);
        }
    }

    [Fact]
    public async Task Unknown_channel_type_is_refused()
    {
        await using var pair = new ConnectionPair();
        var ex = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Client.OpenChannelAsync(new ChannelOpenRequest("x11")).WaitAsync(Timeout));
        Assert.Equal(ChannelOpenFailureReason.UnknownChannelType, ex.ReasonCode);
    }

    [Fact]
    public async Task Data_beyond_the_granted_window_is_a_protocol_error()
    {
        var serverOptions = new SshConnectionOptions { InitialWindowSize = 64 * 1024 };
        await using var pair = new ConnectionPair(serverOptions: serverOptions);
        pair.ServeSessions(_ => Task.CompletedTask);
        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        // Bypass the client's own flow control: 64 KiB is allowed, one byte more is not.
        var header = new byte[9];
        header[0] = SshMessageNumber.ChannelData;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), session.RemoteId);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(5), 32 * 1024);
        var data = new byte[32 * 1024];
        await pair.ClientTransport.SendAsync(header, data);
        await pair.ClientTransport.SendAsync(header, data);
        await pair.ClientTransport.SendAsync(header.AsMemory(0, 5), new byte[] { 0, 0, 0, 1, 42 });
        await SessionChannelTests.WaitUntil(() => pair.ServerTransport.HandlerError is not null);
        var error = Assert.IsType<SshProtocolException>(pair.ServerTransport.HandlerError);
        Assert.Equal(DisconnectReason.ProtocolError, error.Reason);
        Assert.Contains("window", error.Message);
        await session.Completion.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Message_for_an_unknown_channel_is_a_protocol_error()
    {
        await using var pair = new ConnectionPair();
        pair.ClientTransport.Post([SshMessageNumber.ChannelEof, 0, 0, 0, 7]);
        await SessionChannelTests.WaitUntil(() => pair.ServerTransport.HandlerError is not null);
        Assert.IsType<SshProtocolException>(pair.ServerTransport.HandlerError);
        await Assert.ThrowsAsync<SshConnectionClosedException>(() => pair.Client.OpenSessionAsync());
    }

    private static async Task EchoAsync(SshChannel channel)
    {
        await channel.Stream.CopyToAsync(channel.Stream);
        await channel.SendEofAsync();
    }
}
