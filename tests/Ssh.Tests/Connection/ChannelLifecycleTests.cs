using System.Text;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Connection;

public class ChannelLifecycleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Stdout_and_stderr_written_concurrently_arrive_complete()
    {
        var small = new SshConnectionOptions { InitialWindowSize = 64 * 1024, MaxPacketSize = 8 * 1024 };
        await using var pair = new ConnectionPair(small, small);
        const int Size = 2 * 1024 * 1024;
        pair.ServeSessions(async channel =>
        {
            await Task.WhenAll(
                SessionChannelTests.WritePatternAsync(channel.Stream, Size, seed: 11),
                SessionChannelTests.WritePatternAsync(channel.StandardError, Size, seed: 12));
            await channel.SendExitStatusAsync(0);
            await channel.CloseAsync();
        });
        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        var stdout = SessionChannelTests.HashAllAsync(session.Stream);
        var stderr = SessionChannelTests.HashAllAsync(session.StandardError);
        Assert.Equal(SessionChannelTests.PatternDigest(Size, 11), await stdout.WaitAsync(Timeout));
        Assert.Equal(SessionChannelTests.PatternDigest(Size, 12), await stderr.WaitAsync(Timeout));
        await session.Completion.WaitAsync(Timeout);
        Assert.Equal(0u, session.ExitStatus);
    }

    [Fact]
    public async Task Output_pipe_writer_sends_through_flow_control()
    {
        await using var pair = new ConnectionPair();
        var received = new TaskCompletionSource<string>();
        pair.ServeSessions(async channel => received.SetResult(Encoding.UTF8.GetString(await channel.Stream.ReadToEndAsync())));
        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        await session.Output.WriteAsync("via "u8.ToArray());
        await session.Output.WriteAsync("pipes"u8.ToArray());
        await session.Output.FlushAsync();
        await session.SendEofAsync();
        Assert.Equal("via pipes", await received.Task.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Failing_request_handler_answers_failure_and_keeps_order()
    {
        await using var pair = new ConnectionPair();
        pair.ServeSessions(_ => Task.CompletedTask, async (_, request) =>
        {
            await Task.Yield();
            if (request is SignalRequest) throw new InvalidOperationException("handler bug");
            return true;
        });
        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        var first = session.SendRequestAsync(new SignalRequest("INT"), wantReply: true);
        var second = session.SendRequestAsync(new ShellRequest(), wantReply: true);
        Assert.False(await first.WaitAsync(Timeout));
        Assert.True(await second.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Connection_loss_fails_readers_writers_and_pending_requests()
    {
        var small = new SshConnectionOptions { InitialWindowSize = 32 * 1024, MaxPacketSize = 8 * 1024 };
        await using var pair = new ConnectionPair(small, small);
        var hold = new TaskCompletionSource<bool>();
        pair.ServeSessions(_ => Task.CompletedTask, (_, _) => new ValueTask<bool>(hold.Task));
        pair.ServerHandler.Global = async (_, _) => (await hold.Task, Array.Empty<byte>());
        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        var pendingRequest = session.SendRequestAsync(new ShellRequest(), wantReply: true);
        var pendingGlobal = pair.Client.SendGlobalRequestAsync("slow@example.com", true, default);
        // The server never reads, so this writer soon waits for window.
        var writer = SessionChannelTests.WritePatternAsync(session.Stream, 1024 * 1024, seed: 1);
        var reader = session.Stream.ReadAsync(new byte[10]).AsTask();
        await Task.Delay(100);
        Assert.False(writer.IsCompleted);

        await pair.ServerTransport.DisconnectAsync(DisconnectReason.ByApplication, "bye");

        await Assert.ThrowsAsync<IOException>(() => writer.WaitAsync(Timeout));
        await Assert.ThrowsAsync<IOException>(() => reader.WaitAsync(Timeout));
        Assert.False(await pendingRequest.WaitAsync(Timeout));
        await Assert.ThrowsAsync<SshConnectionClosedException>(() => pendingGlobal.WaitAsync(Timeout));
        await session.Completion.WaitAsync(Timeout);
        await Assert.ThrowsAsync<SshConnectionClosedException>(() => pair.Client.OpenSessionAsync().WaitAsync(Timeout));
        await session.DisposeAsync().AsTask().WaitAsync(Timeout);
        hold.SetResult(true);
    }

    [Fact]
    public async Task Disposing_the_stream_sends_eof_and_close()
    {
        await using var pair = new ConnectionPair();
        var serverChannel = new TaskCompletionSource<SshChannel>();
        pair.ServeSessions(c => { serverChannel.SetResult(c); return Task.CompletedTask; });
        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        var server = await serverChannel.Task.WaitAsync(Timeout);
        await session.Stream.WriteAsync("last words"u8.ToArray());
        await session.Stream.DisposeAsync();
        Assert.Equal("last words", Encoding.ASCII.GetString(await server.Stream.ReadToEndAsync().WaitAsync(Timeout)));
        await server.Completion.WaitAsync(Timeout);
        await session.Completion.WaitAsync(Timeout);
        await SessionChannelTests.WaitUntil(() => pair.Client.Channels.Count == 0 && pair.Server.Channels.Count == 0);
    }

    [Fact]
    public async Task Open_and_close_events_fire_for_both_roles()
    {
        await using var pair = new ConnectionPair();
        pair.ServeSessions(c => c.CloseAsync());
        var opened = 0;
        var closed = 0;
        pair.Server.ChannelOpened += _ => Interlocked.Increment(ref opened);
        pair.Server.ChannelClosed += _ => Interlocked.Increment(ref closed);
        for (var i = 0; i < 5; i++)
        {
            var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
            await session.Completion.WaitAsync(Timeout);
        }
        await SessionChannelTests.WaitUntil(() => Volatile.Read(ref closed) == 5);
        Assert.Equal(5, opened);
    }
}

public class ForwardRaceAndModesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Forwarded_open_right_behind_the_forward_reply_is_accepted()
    {
        // The reply and the open are handled back to back on the receive loop, before the
        // caller of RequestRemoteForwardAsync runs: the forward must already be known then.
        var transport = new ManualTransport();
        var handler = new DelegateHandler { Open = _ => ValueTask.FromResult(ChannelOpenDecision.Accept()) };
        var client = new SshConnection(transport, new SshConnectionOptions(), handler);
        var bound = client.RequestRemoteForwardAsync("localhost", 0);
        await client.HandleMessageAsync(new byte[] { SshMessageNumber.RequestSuccess, 0, 0, 0x1b, 0x58 });
        await client.HandleMessageAsync(SshMessageBuilder.Build(SshMessageNumber.ChannelOpen, w =>
        {
            w.WriteString("forwarded-tcpip"); w.WriteUInt32(4); w.WriteUInt32(1 << 20); w.WriteUInt32(32768);
            w.WriteString("localhost"); w.WriteUInt32(7000); w.WriteString("192.0.2.1"); w.WriteUInt32(1);
        }));
        Assert.Equal(7000u, await bound.WaitAsync(Timeout));
        await SessionChannelTests.WaitUntil(() => transport.Sent.Any(m => m[0] == SshMessageNumber.ChannelOpenConfirmation));
        Assert.DoesNotContain(transport.Sent, m => m[0] == SshMessageNumber.ChannelOpenFailure);
    }

    [Fact]
    public void Terminal_modes_decode_and_stop_at_the_end_or_unknown_opcodes()
    {
        byte[] modes = [53, 0, 0, 0, 1, 128, 0, 0, 0x96, 0, 0];
        var pty = new PtyRequest("xterm-256color", 120, 40, 0, 0, modes);
        var decoded = pty.DecodeModes();
        Assert.Equal(2, decoded.Count);
        Assert.Equal(1u, decoded[53]);
        Assert.Equal(0x9600u, decoded[128]);
        Assert.Empty(new PtyRequest("vt100", 1, 1, 0, 0, [200, 1, 2, 3, 4, 53, 0, 0, 0, 1]).DecodeModes());
        Assert.Empty(new PtyRequest("vt100", 1, 1, 0, 0, [53, 0, 0]).DecodeModes());
        var roundTrip = (PtyRequest)ChannelRequest.Parse("pty-req", pty.Encode());
        Assert.Equal(pty.Term, roundTrip.Term);
        Assert.Equal(pty.Modes, roundTrip.Modes);
        Assert.Equal((120u, 40u), (roundTrip.Columns, roundTrip.Rows));
    }
}
