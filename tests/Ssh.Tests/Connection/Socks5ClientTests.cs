using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Gateway.Ssh.Connection;

namespace Gateway.Ssh.Tests.Connection;

public class Socks5ClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>One end of an in-memory duplex byte stream; counts writes to check pipelining.</summary>
    private sealed class DuplexStream(PipeReader input, PipeWriter output) : Stream
    {
        public int Writes;
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var result = await input.ReadAsync(ct);
            if (result.Buffer.IsEmpty && result.IsCompleted) return 0;
            var n = (int)Math.Min(buffer.Length, result.Buffer.Length);
            result.Buffer.Slice(0, n).CopyTo(buffer.Span);
            input.AdvanceTo(result.Buffer.GetPosition(n));
            return n;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Writes);
            await output.WriteAsync(buffer, ct);
        }

        public void CompleteOutput() => output.Complete();
    }

    private static (DuplexStream Client, DuplexStream Server) CreateStreams()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        return (new DuplexStream(toClient.Reader, toServer.Writer), new DuplexStream(toServer.Reader, toClient.Writer));
    }

    private static async Task<byte[]> ReadExactly(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
    }

    /// <summary>Reads greeting and CONNECT (both must arrive before anything is answered) and returns the destination.</summary>
    private static async Task<(byte Type, byte[] Address, ushort Port)> ReadRequestAsync(Stream server)
    {
        Assert.Equal(new byte[] { 5, 1, 0 }, await ReadExactly(server, 3));
        var head = await ReadExactly(server, 4);
        Assert.Equal(new byte[] { 5, 1, 0 }, head[..3]);
        byte[] address = head[3] switch
        {
            1 => await ReadExactly(server, 4),
            4 => await ReadExactly(server, 16),
            3 => await ReadExactly(server, (await ReadExactly(server, 1))[0]),
            _ => throw new InvalidDataException("bad ATYP"),
        };
        var port = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactly(server, 2));
        return (head[3], address, port);
    }

    [Fact]
    public async Task Domain_connect_is_pipelined_and_exact_reply_is_consumed()
    {
        var (client, server) = CreateStreams();
        var serverTask = Task.Run(async () =>
        {
            var (type, address, port) = await ReadRequestAsync(server);
            Assert.Equal(3, type);
            Assert.Equal("backend.internal", Encoding.ASCII.GetString(address));
            Assert.Equal(8080, port);
            // OpenSSH's reply shape: BND.ADDR 0.0.0.0 and the requested port, then tunnelled data.
            await server.WriteAsync(new byte[] { 5, 0, 5, 0, 0, 1, 0, 0, 0, 0, 0x1f, 0x90, (byte)'H', (byte)'T' });
        });
        await Socks5Client.ConnectAsync(client, "backend.internal", 8080, CancellationToken.None).WaitAsync(Timeout);
        await serverTask.WaitAsync(Timeout);
        Assert.Equal(1, client.Writes);
        Assert.Equal("HT"u8.ToArray(), await ReadExactly(client, 2));
    }

    [Theory]
    [InlineData("10.1.2.3", 1, 4)]
    [InlineData("2001:db8::1", 4, 16)]
    public async Task Ip_literals_use_their_address_type(string host, byte expectedType, int length)
    {
        var (client, server) = CreateStreams();
        var serverTask = Task.Run(async () =>
        {
            var (type, address, port) = await ReadRequestAsync(server);
            Assert.Equal(expectedType, type);
            Assert.Equal(length, address.Length);
            Assert.Equal(443, port);
            // Reply with an IPv6 BND.ADDR and a domain BND.ADDR variant to check exact consumption.
            var reply = new List<byte> { 5, 0, 5, 0, 0, 4 };
            reply.AddRange(new byte[16]);
            reply.AddRange(new byte[] { 1, 187, (byte)'!' });
            await server.WriteAsync(reply.ToArray());
        });
        await Socks5Client.ConnectAsync(client, host, 443, CancellationToken.None).WaitAsync(Timeout);
        await serverTask.WaitAsync(Timeout);
        Assert.Equal("!"u8.ToArray(), await ReadExactly(client, 1));
    }

    [Fact]
    public async Task Domain_bound_address_in_reply_is_consumed_exactly()
    {
        var (client, server) = CreateStreams();
        var serverTask = Task.Run(async () =>
        {
            await ReadRequestAsync(server);
            await server.WriteAsync(new byte[] { 5, 0, 5, 0, 0, 3, 3, (byte)'a', (byte)'b', (byte)'c', 0, 80, (byte)'X' });
        });
        await Socks5Client.ConnectAsync(client, "h", 80, CancellationToken.None).WaitAsync(Timeout);
        await serverTask.WaitAsync(Timeout);
        Assert.Equal("X"u8.ToArray(), await ReadExactly(client, 1));
    }

    [Theory]
    [InlineData(1, "general SOCKS server failure")]
    [InlineData(2, "connection not allowed by ruleset")]
    [InlineData(3, "network unreachable")]
    [InlineData(4, "host unreachable")]
    [InlineData(5, "connection refused")]
    [InlineData(6, "TTL expired")]
    [InlineData(7, "command not supported")]
    [InlineData(8, "address type not supported")]
    public async Task Error_replies_map_to_rfc1928_texts(byte code, string text)
    {
        var (client, server) = CreateStreams();
        var serverTask = Task.Run(async () =>
        {
            await ReadRequestAsync(server);
            await server.WriteAsync(new byte[] { 5, 0, 5, code, 0, 1, 0, 0, 0, 0, 0, 0 });
        });
        var ex = await Assert.ThrowsAsync<Socks5Exception>(() => Socks5Client.ConnectAsync(client, "example", 1, CancellationToken.None).WaitAsync(Timeout));
        await serverTask.WaitAsync(Timeout);
        Assert.Equal(text, ex.Message);
        Assert.Equal(code, ex.ReplyCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(5)]
    public async Task Close_before_the_reply_is_complete_is_reported(int replyBytes)
    {
        var (client, server) = CreateStreams();
        var serverTask = Task.Run(async () =>
        {
            await ReadRequestAsync(server);
            var reply = new byte[] { 5, 0, 5, 0, 0, 1, 0 };
            await server.WriteAsync(reply.AsMemory(0, replyBytes));
            server.CompleteOutput();
        });
        var ex = await Assert.ThrowsAsync<Socks5Exception>(() => Socks5Client.ConnectAsync(client, "example", 1, CancellationToken.None).WaitAsync(Timeout));
        await serverTask.WaitAsync(Timeout);
        Assert.Equal("connection closed by the SOCKS server before it replied", ex.Message);
        Assert.Null(ex.ReplyCode);
        // Only a peer that sent nothing at all looks like a service that swallowed the greeting.
        Assert.Equal(replyBytes == 0, ex.NoAnswer);
    }

    [Fact]
    public async Task A_silent_peer_ends_with_the_token_as_no_answer()
    {
        var (client, server) = CreateStreams();
        var serverTask = ReadRequestAsync(server);
        using var bound = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var ex = await Assert.ThrowsAsync<Socks5Exception>(() => Socks5Client.ConnectAsync(client, "example", 1, bound.Token).WaitAsync(Timeout));
        await serverTask.WaitAsync(Timeout);
        Assert.True(ex.NoAnswer);
        Assert.True(ex.Cancelled);
    }

    [Fact]
    public async Task A_peer_that_echoes_the_request_is_no_answer()
    {
        var (client, server) = CreateStreams();
        var serverTask = Task.Run(async () =>
        {
            await ReadRequestAsync(server);
            await server.WriteAsync(Socks5Client.BuildRequest("example", 1));
        });
        var ex = await Assert.ThrowsAsync<Socks5Exception>(() => Socks5Client.ConnectAsync(client, "example", 1, CancellationToken.None).WaitAsync(Timeout));
        await serverTask.WaitAsync(Timeout);
        Assert.True(ex.NoAnswer);
        Assert.False(ex.Cancelled);
        Assert.StartsWith("not a SOCKS5 server", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelled_after_the_method_reply_stays_a_cancellation()
    {
        var (client, server) = CreateStreams();
        var serverTask = Task.Run(async () =>
        {
            await ReadRequestAsync(server);
            await server.WriteAsync(new byte[] { 5, 0 });
        });
        using var bound = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Socks5Client.ConnectAsync(client, "example", 1, bound.Token).WaitAsync(Timeout));
        await serverTask.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Refused_authentication_method_is_reported()
    {
        var (client, server) = CreateStreams();
        var serverTask = Task.Run(async () =>
        {
            await ReadRequestAsync(server);
            await server.WriteAsync(new byte[] { 5, 0xFF });
        });
        var ex = await Assert.ThrowsAsync<Socks5Exception>(() => Socks5Client.ConnectAsync(client, "example", 1, CancellationToken.None).WaitAsync(Timeout));
        await serverTask.WaitAsync(Timeout);
        Assert.Contains("authentication", ex.Message);
    }

    [Fact]
    public async Task Works_over_a_forwarded_tcpip_channel()
    {
        await using var pair = new ConnectionPair();
        pair.ServerHandler.Forward = r => ValueTask.FromResult(RemoteForwardDecision.Accept(41000));
        pair.ClientHandler.Open = r => ValueTask.FromResult(ChannelOpenDecision.Accept(c => _ = Task.Run(async () =>
        {
            // The OpenSSH client's side of a dynamic forward: parse, reply, then serve.
            var (_, address, port) = await ReadRequestAsync(c.Stream);
            Assert.Equal("svc", Encoding.ASCII.GetString(address));
            await c.Stream.WriteAsync(new byte[] { 5, 0, 5, 0, 0, 1, 0, 0, 0, 0, (byte)(port >> 8), (byte)port });
            await c.Stream.WriteAsync("hello from upstream"u8.ToArray());
            await c.CloseAsync();
        })));
        Assert.Equal(41000u, await pair.Client.RequestRemoteForwardAsync("localhost", 0).WaitAsync(Timeout));
        var channel = await pair.Server.OpenForwardedTcpIpAsync("localhost", 41000, "198.51.100.7", 50000).WaitAsync(Timeout);
        await Socks5Client.ConnectAsync(channel.Stream, "svc", 80, CancellationToken.None).WaitAsync(Timeout);
        var body = await channel.Stream.ReadToEndAsync().WaitAsync(Timeout);
        Assert.Equal("hello from upstream", Encoding.ASCII.GetString(body));
    }

    [Fact]
    public void Host_names_longer_than_255_bytes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Socks5Client.BuildRequest(new string('a', 256), 1));
        Assert.Equal(3 + 4 + 1 + 255 + 2, Socks5Client.BuildRequest(new string('a', 255), 1).Length);
    }
}
