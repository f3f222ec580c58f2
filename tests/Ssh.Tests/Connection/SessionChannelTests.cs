using System.Security.Cryptography;
using System.Text;
using Gateway.Ssh.Connection;

namespace Gateway.Ssh.Tests.Connection;

public class SessionChannelTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Exec_session_carries_data_both_ways_stderr_and_exit_status()
    {
        await using var pair = new ConnectionPair();
        var requests = new List<ChannelRequest>();
        pair.ServeSessions(async channel =>
        {
            var input = await channel.Stream.ReadToEndAsync();
            await channel.Stream.WriteAsync(Encoding.UTF8.GetBytes("out:" + Encoding.UTF8.GetString(input)));
            await channel.StandardError.WriteAsync("warn"u8.ToArray());
            await channel.SendExitStatusAsync(3);
            await channel.CloseAsync();
        }, (_, request) =>
        {
            lock (requests) requests.Add(request);
            return ValueTask.FromResult(request is ExecRequest or EnvRequest or PtyRequest);
        });

        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        Assert.Equal("session", session.Type);
        Assert.True(await session.SendRequestAsync(new PtyRequest("xterm", 80, 24, 0, 0, [0]), wantReply: true));
        Assert.True(await session.SendRequestAsync(new EnvRequest("LANG", "C.UTF-8"), wantReply: true));
        Assert.False(await session.SendRequestAsync(new SubsystemRequest("sftp"), wantReply: true));
        Assert.True(await session.SendRequestAsync(new ExecRequest("echo hi"), wantReply: true));
        await session.Stream.WriteAsync("hello"u8.ToArray());
        await session.SendEofAsync();

        var stdout = await session.Stream.ReadToEndAsync().WaitAsync(Timeout);
        var stderr = await session.StandardError.ReadToEndAsync().WaitAsync(Timeout);
        await session.Completion.WaitAsync(Timeout);

        Assert.Equal("out:hello", Encoding.UTF8.GetString(stdout));
        Assert.Equal("warn", Encoding.UTF8.GetString(stderr));
        Assert.Equal(3u, session.ExitStatus);
        Assert.Equal(new PtyRequest("xterm", 80, 24, 0, 0, [0]).Term, Assert.IsType<PtyRequest>(requests[0]).Term);
        Assert.Equal(new EnvRequest("LANG", "C.UTF-8"), requests[1]);
        Assert.Equal(new ExecRequest("echo hi"), requests[3]);
        await WaitUntil(() => pair.Client.Channels.Count == 0 && pair.Server.Channels.Count == 0);
    }

    [Fact]
    public async Task Half_close_keeps_the_other_direction_open()
    {
        await using var pair = new ConnectionPair();
        var serverSawEof = new TaskCompletionSource();
        pair.ServeSessions(async channel =>
        {
            var input = await channel.Stream.ReadToEndAsync();
            Assert.Equal("ping", Encoding.ASCII.GetString(input));
            serverSawEof.SetResult();
            // Their EOF does not stop our writing.
            await channel.Stream.WriteAsync("after-eof"u8.ToArray());
            await channel.SendEofAsync();
            // The channel lives on until both sides have closed it.
            await channel.Completion;
        });

        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        await session.Stream.WriteAsync("ping"u8.ToArray());
        await session.SendEofAsync();
        await Assert.ThrowsAsync<IOException>(async () => await session.Stream.WriteAsync("late"u8.ToArray()));
        await serverSawEof.Task.WaitAsync(Timeout);
        var reply = await session.Stream.ReadToEndAsync().WaitAsync(Timeout);
        Assert.Equal("after-eof", Encoding.ASCII.GetString(reply));
        Assert.True(session.EofReceived);
        Assert.False(session.Completion.IsCompleted);
        await session.CloseAsync().WaitAsync(Timeout);
        Assert.True(session.Completion.IsCompleted);
    }

    [Fact]
    public async Task Large_transfer_both_directions_with_small_windows_keeps_checksums()
    {
        const int Size = 64 * 1024 * 1024;
        var small = new SshConnectionOptions { InitialWindowSize = 64 * 1024, MaxPacketSize = 16 * 1024 };
        await using var pair = new ConnectionPair(small, small);
        var serverDigest = new TaskCompletionSource<byte[]>();
        pair.ServeSessions(async channel =>
        {
            var reading = HashAllAsync(channel.Stream);
            await WritePatternAsync(channel.Stream, Size, seed: 2);
            await channel.SendEofAsync();
            serverDigest.SetResult(await reading);
            await channel.CloseAsync();
        });

        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        var clientReading = HashAllAsync(session.Stream);
        await WritePatternAsync(session.Stream, Size, seed: 1).WaitAsync(TimeSpan.FromSeconds(60));
        await session.SendEofAsync();
        var clientDigest = await clientReading.WaitAsync(TimeSpan.FromSeconds(60));
        var serverResult = await serverDigest.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(PatternDigest(Size, seed: 1), serverResult);
        Assert.Equal(PatternDigest(Size, seed: 2), clientDigest);
        await session.Completion.WaitAsync(Timeout);
        // Many adjusts, each at least half the window: flow control really ran.
        Assert.True(pair.ClientTransport.MessagesSent > Size / (16 * 1024));
    }

    [Fact]
    public async Task Pipe_reader_consumption_returns_window()
    {
        var small = new SshConnectionOptions { InitialWindowSize = 32 * 1024, MaxPacketSize = 8 * 1024 };
        await using var pair = new ConnectionPair(small, small);
        const int Size = 1024 * 1024;
        pair.ServeSessions(async channel =>
        {
            await WritePatternAsync(channel.Stream, Size, seed: 5);
            await channel.CloseAsync();
        });
        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        long total = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        while (true)
        {
            var result = await session.Input.ReadAsync().AsTask().WaitAsync(Timeout);
            foreach (var segment in result.Buffer) hash.AppendData(segment.Span);
            total += result.Buffer.Length;
            session.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) break;
        }
        Assert.Equal(Size, total);
        Assert.Equal(PatternDigest(Size, 5), hash.GetHashAndReset());
    }

    [Fact]
    public async Task Slow_consumer_on_one_channel_does_not_stall_another()
    {
        var small = new SshConnectionOptions { InitialWindowSize = 64 * 1024, MaxPacketSize = 16 * 1024 };
        await using var pair = new ConnectionPair(small, small, capacity: 8);
        var stalledWriter = new TaskCompletionSource<Task>();
        var count = 0;
        pair.ServeSessions(channel =>
        {
            if (Interlocked.Increment(ref count) == 1)
            {
                // Far more than the client's window; the client never reads this channel.
                stalledWriter.SetResult(WritePatternAsync(channel.Stream, 4 * 1024 * 1024, seed: 9));
                return Task.CompletedTask;
            }
            return Task.Run(async () =>
            {
                await WritePatternAsync(channel.Stream, 8 * 1024 * 1024, seed: 7);
                await channel.CloseAsync();
            });
        });

        var stalled = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        var writer = await stalledWriter.Task.WaitAsync(Timeout);
        var busy = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        var digest = await HashAllAsync(busy.Stream).WaitAsync(Timeout);
        Assert.Equal(PatternDigest(8 * 1024 * 1024, 7), digest);
        Assert.False(writer.IsCompleted);

        // Closing the stalled channel fails its blocked writer rather than leaving it hanging.
        await stalled.CloseAsync().WaitAsync(Timeout);
        await Assert.ThrowsAsync<IOException>(() => writer.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Channel_ids_are_reused_only_after_close_both_ways()
    {
        await using var pair = new ConnectionPair();
        pair.ServeSessions(channel => Task.CompletedTask);
        var first = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        var second = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        Assert.NotEqual(first.LocalId, second.LocalId);
        Assert.Equal(2, pair.Client.Channels.Count);
        await first.CloseAsync().WaitAsync(Timeout);
        await WaitUntil(() => pair.Server.Channels.Count == 1);
        var third = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        Assert.Equal(first.LocalId, third.LocalId);
    }

    [Fact]
    public async Task Keepalive_channel_request_is_answered_with_failure_and_no_reply_without_want_reply()
    {
        await using var pair = new ConnectionPair();
        var seen = new List<string>();
        pair.ServeSessions(_ => Task.CompletedTask, (_, r) => { lock (seen) seen.Add(r.Type); return ValueTask.FromResult(true); });
        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        Assert.False(await session.SendRequestAsync("keepalive@openssh.com", true, default).WaitAsync(Timeout));
        Assert.True(await session.SendRequestAsync(new WindowChangeRequest(100, 40, 0, 0), wantReply: false).WaitAsync(Timeout));
        Assert.True(await session.SendRequestAsync(new ShellRequest(), wantReply: true).WaitAsync(Timeout));
        Assert.Equal(["window-change", "shell"], seen);
    }

    [Fact]
    public async Task Exit_signal_reaches_the_client()
    {
        await using var pair = new ConnectionPair();
        pair.ServeSessions(async channel =>
        {
            await channel.SendExitSignalAsync("TERM", false, "terminated");
            await channel.CloseAsync();
        });
        var session = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        await session.Completion.WaitAsync(Timeout);
        Assert.Equal("TERM", session.ExitSignal?.Signal);
        Assert.Null(session.ExitStatus);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(10);
        }
    }

    internal static async Task WritePatternAsync(Stream stream, int size, int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[100_000];
        var left = size;
        while (left > 0)
        {
            var n = Math.Min(left, buffer.Length);
            random.NextBytes(buffer.AsSpan(0, n));
            await stream.WriteAsync(buffer.AsMemory(0, n));
            left -= n;
        }
    }

    internal static byte[] PatternDigest(int size, int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[100_000];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var left = size;
        while (left > 0)
        {
            var n = Math.Min(left, buffer.Length);
            random.NextBytes(buffer.AsSpan(0, n));
            hash.AppendData(buffer.AsSpan(0, n));
            left -= n;
        }
        return hash.GetHashAndReset();
    }

    internal static async Task<byte[]> HashAllAsync(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0) hash.AppendData(buffer.AsSpan(0, n));
        return hash.GetHashAndReset();
    }
}
