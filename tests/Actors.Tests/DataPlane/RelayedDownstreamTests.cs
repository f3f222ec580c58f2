using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Gateway.Actors.DataPlane;
using Gateway.Actors.Sessions;
using Gateway.Actors.Tests.Sessions;

namespace Gateway.Actors.Tests.DataPlane;

/// <summary>
/// A relayed connection's byte graph between a real loopback socket (the relay connection; the
/// test holds the dialing node's end) and a channel (the test holds the upstream's end), run by
/// its <see cref="DownstreamConnectionActor"/>: bytes and half-close both ways, the reply first,
/// back-pressure, the SOCKS guard, and what stopping the actor mid-transfer leaves behind.
/// </summary>
public sealed class RelayedDownstreamTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] Reply = [0, 0, 0];

    private readonly InMemoryChannel _channel = new();
    private readonly DataPathCounters _counters = new();
    private Socket _dialer = null!;
    private Socket _served = null!;

    public async Task InitializeAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _dialer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await _dialer.ConnectAsync(listener.LocalEndPoint!);
        _served = await accept;
    }

    public Task DisposeAsync()
    {
        _dialer.Dispose();
        _served.Dispose();
        return Task.CompletedTask;
    }

    private RelayedDownstream Relayed(bool guardSocks = false)
    {
        var gateway = _channel.Gateway;
        return new RelayedDownstream(gateway.Input, gateway, () =>
            {
                gateway.CompleteOutput();
                return Task.CompletedTask;
            },
            new NetworkStream(_served, ownsSocket: true), () =>
            {
                _served.Shutdown(SocketShutdown.Send);
                return Task.CompletedTask;
            }, Reply, guardSocks);
    }

    private IActorRef Run(RelayedDownstream relayed)
    {
        var actor = ChildActorOf(DownstreamConnectionActor.Props(new DownstreamOpened("7", "demo", "203.0.113.9:4000"), relayed, _counters));
        ExpectMsg<DownstreamOpened>(Timeout);
        return actor;
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Timeout)) > 0) all.Write(buffer, 0, read);
        return all.ToArray();
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var all = new MemoryStream();
        await stream.CopyToAsync(all).WaitAsync(Timeout);
        return all.ToArray();
    }

    [Fact]
    public async Task Carries_bytes_and_half_close_both_ways_with_the_reply_first_then_reports_the_counts()
    {
        var relayed = Relayed();
        var actor = Run(relayed);
        Watch(actor);

        await _dialer.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n"));
        _dialer.Shutdown(SocketShutdown.Send);
        Assert.Equal("GET / HTTP/1.1\r\n\r\n", Encoding.ASCII.GetString(await ReadToEndAsync(_channel.Upstream))); // the downstream's EOF reached the upstream

        var body = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        await _channel.Upstream.WriteAsync(body);
        _channel.Upstream.CompleteOutput();
        var received = await ReadToEndAsync(_dialer);
        Assert.Equal(Reply, received[..3]);
        Assert.Equal(body, received[3..]);

        var closed = ExpectMsg<DownstreamClosed>(Timeout);
        Assert.Equal(18, closed.BytesToUpstream);
        Assert.Equal(body.Length, closed.BytesToDownstream); // the reply is the gateway's own, not counted
        Assert.Null(closed.Error);
        ExpectTerminated(actor, Timeout);
        AwaitCondition(() => _counters.DownstreamConnectionActors == 0, Timeout);
    }

    [Fact]
    public async Task Stopping_the_actor_mid_transfer_closes_both_ends_and_reports_final_counts()
    {
        var relayed = Relayed();
        var actor = Run(relayed);
        Watch(actor);
        using var stopWriting = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        long produced = 0;
        var upstream = Task.Run(async () =>
        {
            var chunk = new byte[32 * 1024];
            try
            {
                while (!stopWriting.IsCancellationRequested && !_channel.Upstream.Disposed)
                {
                    await _channel.Upstream.WriteAsync(chunk, stopWriting.Token);
                    Interlocked.Add(ref produced, chunk.Length);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
            {
            }
        });

        // Read a few MiB, then stop the actor while the upstream is still sending.
        long received = 0;
        var buffer = new byte[64 * 1024];
        while (received < 4 * 1024 * 1024)
            received += await _dialer.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Timeout);
        Sys.Stop(actor);

        // The relay connection closes: the dialing side reads what was sent before, then EOF.
        received += (await ReadToEndAsync(_dialer)).Length;
        // The channel closes: the upstream's reads end.
        Assert.Equal(0, await _channel.Upstream.ReadAsync(new byte[16]).AsTask().WaitAsync(Timeout));

        var closed = ReceiveN(2, Timeout).OfType<DownstreamClosed>().Single();
        Assert.Equal(DownstreamConnectionActor.ClosedByGateway, closed.Error);
        // What the dialing side got: every counted write, and at most part of one chunk whose write the close cut short (the kernel took some of it).
        var delivered = received - Reply.Length;
        Assert.InRange(delivered - closed.BytesToDownstream, 0, StreamReadSource.ChunkSize);
        Assert.True(closed.BytesToDownstream <= Interlocked.Read(ref produced) + 32 * 1024);
        await Task.Delay(200);
        Assert.Equal(closed.BytesToDownstream, relayed.BytesToDownstream); // final: nothing counted after the report
        AwaitCondition(() => _counters.DownstreamConnectionActors == 0, Timeout);
        await stopWriting.CancelAsync();
        await upstream.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_downstream_that_does_not_read_stops_the_upstream_instead_of_filling_memory()
    {
        var actor = Run(Relayed());
        Watch(actor);
        using var stopWriting = new CancellationTokenSource();
        long produced = 0;
        var upstream = Task.Run(async () =>
        {
            var chunk = new byte[32 * 1024];
            try
            {
                while (!stopWriting.IsCancellationRequested)
                {
                    await _channel.Upstream.WriteAsync(chunk, stopWriting.Token);
                    Interlocked.Add(ref produced, chunk.Length);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
            {
            }
        });

        // The dialing side reads nothing: the kernel's socket buffers fill, then the graph stops pulling, then the pipe stops the writer.
        long last = -1;
        for (var i = 0; i < 40 && Interlocked.Read(ref produced) != last; i++)
        {
            last = Interlocked.Read(ref produced);
            await Task.Delay(250);
        }
        var stalled = Interlocked.Read(ref produced);
        await Task.Delay(1000);
        Assert.Equal(stalled, Interlocked.Read(ref produced)); // no longer moving
        // Socket buffers on loopback (both ends, autotuned) plus one chunk and the pipe's threshold: a few MiB at most.
        Assert.True(stalled < 32 * 1024 * 1024, $"the upstream got {stalled} bytes out with nobody reading");

        Sys.Stop(actor);
        // The report follows the stop once the counts are final: the two messages come in either order.
        Assert.Contains(ReceiveN(2, Timeout), m => m is DownstreamClosed);
        await stopWriting.CancelAsync();
        await upstream.WaitAsync(Timeout);
    }

    [Fact]
    public async Task On_a_static_forward_a_SOCKS_greeting_from_the_downstream_ends_the_connection_before_the_upstream_sees_it()
    {
        var actor = Run(Relayed(guardSocks: true));
        Watch(actor);

        await _dialer.SendAsync(new byte[] { 0x05, 0x01, 0x00 });

        var closed = ExpectMsg<DownstreamClosed>(Timeout);
        ExpectTerminated(actor, Timeout);
        Assert.Equal(DuplexByteGraph.SocksRefused, closed.Error);
        Assert.Equal(0, closed.BytesToUpstream);
        Assert.Empty(await ReadToEndAsync(_channel.Upstream));
    }
}
