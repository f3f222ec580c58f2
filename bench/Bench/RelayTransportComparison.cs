using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Actors.DataPlane;

namespace Gateway.Bench;

/// <summary>
/// The measurement behind the relay's transport choice (docs/cluster.md): the same bytes through a
/// middle hop built (a) as a socket copy loop (the <c>splice</c> byte path), (b) as the relay's
/// byte graph is, the project's own Akka.Streams stages reading and writing the sockets
/// (<see cref="StreamReadSource"/> to <see cref="StreamWriteSink"/>), and (c) with Akka.Streams
/// TCP (<c>TcpStream().Bind</c> handled by <c>OutgoingConnection</c>), on loopback in this process.
/// --mib per transfer (default 192), --rounds alternating the two hops (default 2).
/// </summary>
public static class RelayTransportComparison
{
    private const int Chunk = 64 * 1024;

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var total = args.GetInt("mib", 192) * 1024L * 1024;
        var rounds = args.GetInt("rounds", 2);
        var system = ActorSystem.Create("relay-bench", "akka.loglevel = WARNING");
        try
        {
            var materializer = system.Materializer();
            var socketRates = new List<double>();
            var graphRates = new List<double>();
            var akkaRates = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                socketRates.Add(await MeasureAsync(total, StartSocketSpliceAsync, cancellationToken));
                graphRates.Add(await MeasureAsync(total, sink => StartGraphHopAsync(materializer, sink), cancellationToken));
                akkaRates.Add(await MeasureAsync(total, sink => StartAkkaStreamsHopAsync(system, materializer, sink), cancellationToken));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"socket_splice_mbs={Join(socketRates)} graph_stages_mbs={Join(graphRates)} akka_streams_tcp_mbs={Join(akkaRates)} graph_over_splice={graphRates.Sum() / socketRates.Sum():0.00}x"));
            // Small exchanges both ways through a duplex hop: what a relayed request pays per hand-off.
            var exchanges = args.GetInt("exchanges", 20_000);
            var spliceRtts = new List<double>();
            var graphRtts = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                spliceRtts.Add(await PingPongAsync(exchanges, StartDuplexSpliceAsync, cancellationToken));
                graphRtts.Add(await PingPongAsync(exchanges, echo => StartDuplexGraphAsync(materializer, echo), cancellationToken));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"exchanges_per_s splice={Join(spliceRtts)} graph={Join(graphRtts)} graph_over_splice={graphRtts.Sum() / spliceRtts.Sum():0.00}x"));
            return 0;
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static string Join(IEnumerable<double> rates)
        => string.Join(',', rates.Select(r => r.ToString("0", CultureInfo.InvariantCulture)));

    /// <summary>Sends <paramref name="total"/> bytes through a hop to a counting sink; MB/s (MiB/s) once the sink saw EOF.</summary>
    private static async Task<double> MeasureAsync(long total, Func<int, Task<(int Port, IAsyncDisposable Hop)>> startHop, CancellationToken cancellationToken)
    {
        using var sink = new TcpListener(IPAddress.Loopback, 0);
        sink.Start();
        var sinkPort = ((IPEndPoint)sink.LocalEndpoint).Port;
        var counted = Task.Run(async () =>
        {
            using var socket = await sink.AcceptSocketAsync(cancellationToken);
            var buffer = new byte[Chunk];
            long received = 0;
            int read;
            while ((read = await socket.ReceiveAsync(buffer, cancellationToken)) > 0) received += read;
            return received;
        }, cancellationToken);
        var (port, hop) = await startHop(sinkPort);
        await using (hop)
        {
            var clock = Stopwatch.StartNew();
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            var data = new byte[Chunk];
            Random.Shared.NextBytes(data);
            for (long sent = 0; sent < total; sent += Chunk) await client.SendAsync(data, cancellationToken);
            client.Shutdown(SocketShutdown.Send);
            var received = await counted.WaitAsync(TimeSpan.FromSeconds(120), cancellationToken);
            clock.Stop();
            // A hop that lost or invented bytes has no rate worth reporting.
            if (received != total) throw new InvalidOperationException($"the sink received {received} bytes of {total}");
            return total / (1024.0 * 1024) / clock.Elapsed.TotalSeconds;
        }
    }

    private static Task<(int Port, IAsyncDisposable Hop)> StartSocketSpliceAsync(int sinkPort)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var work = Task.Run(async () =>
        {
            using var inbound = await listener.AcceptSocketAsync();
            using var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await outbound.ConnectAsync(new IPEndPoint(IPAddress.Loopback, sinkPort));
            await using var from = new NetworkStream(inbound);
            await using var to = new NetworkStream(outbound);
            await from.CopyToAsync(to, 32 * 1024);
            outbound.Shutdown(SocketShutdown.Send);
        });
        return Task.FromResult<(int, IAsyncDisposable)>((((IPEndPoint)listener.LocalEndpoint).Port, new Stopper(async () =>
        {
            listener.Stop();
            await work.WaitAsync(TimeSpan.FromSeconds(10));
        })));
    }

    /// <summary>
    /// <paramref name="count"/> sequential 512-byte requests, each answered with 1 KiB by an echo
    /// server behind a duplex hop; exchanges per second.
    /// </summary>
    private static async Task<double> PingPongAsync(int count, Func<int, Task<(int Port, IAsyncDisposable Hop)>> startHop, CancellationToken cancellationToken)
    {
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        var serving = Task.Run(async () =>
        {
            using var socket = await echo.AcceptSocketAsync(cancellationToken);
            socket.NoDelay = true;
            var request = new byte[512];
            var answer = new byte[1024];
            while (true)
            {
                var got = 0;
                while (got < request.Length)
                {
                    var read = await socket.ReceiveAsync(request.AsMemory(got), cancellationToken);
                    if (read == 0) return;
                    got += read;
                }
                await socket.SendAsync(answer, cancellationToken);
            }
        }, cancellationToken);
        var (port, hop) = await startHop(((IPEndPoint)echo.LocalEndpoint).Port);
        await using (hop)
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            var request = new byte[512];
            var answer = new byte[1024];
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                await client.SendAsync(request, cancellationToken);
                var got = 0;
                while (got < answer.Length)
                {
                    var read = await client.ReceiveAsync(answer.AsMemory(got), cancellationToken);
                    if (read == 0) throw new InvalidOperationException("the hop closed early");
                    got += read;
                }
            }
            clock.Stop();
            client.Shutdown(SocketShutdown.Send);
            await serving.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            return count / clock.Elapsed.TotalSeconds;
        }
    }

    private static Task<(int Port, IAsyncDisposable Hop)> StartDuplexSpliceAsync(int targetPort)
        => StartDuplexAsync(targetPort, async (inbound, outbound) =>
        {
            await using var a = new NetworkStream(inbound);
            await using var b = new NetworkStream(outbound);
            async Task Copy(Stream from, Stream to, Socket target)
            {
                await from.CopyToAsync(to, 32 * 1024);
                target.Shutdown(SocketShutdown.Send);
            }
            await Task.WhenAll(Copy(a, b, outbound), Copy(b, a, inbound));
        });

    private static Task<(int Port, IAsyncDisposable Hop)> StartDuplexGraphAsync(IMaterializer materializer, int targetPort)
        => StartDuplexAsync(targetPort, async (inbound, outbound) =>
        {
            await using var a = new NetworkStream(inbound);
            await using var b = new NetworkStream(outbound);
            Task ShutDown(Socket socket)
            {
                socket.Shutdown(SocketShutdown.Send);
                return Task.CompletedTask;
            }
            var control = DuplexByteGraph.Run(GraphEnd.ForStream(a, () => ShutDown(inbound)), GraphEnd.ForStream(b, () => ShutDown(outbound)),
                ReadOnlyMemory<byte>.Empty, refuseSocks: false, new ByteCounts(), _ => { }, materializer, "bench");
            await control.Completion;
        });

    private static Task<(int Port, IAsyncDisposable Hop)> StartDuplexAsync(int targetPort, Func<Socket, Socket, Task> run)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var work = Task.Run(async () =>
        {
            using var inbound = await listener.AcceptSocketAsync();
            inbound.NoDelay = true;
            using var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await outbound.ConnectAsync(new IPEndPoint(IPAddress.Loopback, targetPort));
            await run(inbound, outbound);
        });
        return Task.FromResult<(int, IAsyncDisposable)>((((IPEndPoint)listener.LocalEndpoint).Port, new Stopper(async () =>
        {
            listener.Stop();
            await work.WaitAsync(TimeSpan.FromSeconds(10));
        })));
    }

    private static Task<(int Port, IAsyncDisposable Hop)> StartGraphHopAsync(IMaterializer materializer, int sinkPort)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var work = Task.Run(async () =>
        {
            using var inbound = await listener.AcceptSocketAsync();
            using var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await outbound.ConnectAsync(new IPEndPoint(IPAddress.Loopback, sinkPort));
            await using var from = new NetworkStream(inbound);
            await using var to = new NetworkStream(outbound);
            var done = Source.FromGraph(new StreamReadSource(from))
                .ToMaterialized(new StreamWriteSink(to, () =>
                {
                    outbound.Shutdown(SocketShutdown.Send);
                    return Task.CompletedTask;
                }, _ => { }), Keep.Right)
                .Run(materializer);
            await done;
        });
        return Task.FromResult<(int, IAsyncDisposable)>((((IPEndPoint)listener.LocalEndpoint).Port, new Stopper(async () =>
        {
            listener.Stop();
            await work.WaitAsync(TimeSpan.FromSeconds(10));
        })));
    }

    private static async Task<(int Port, IAsyncDisposable Hop)> StartAkkaStreamsHopAsync(ActorSystem system, IMaterializer materializer, int sinkPort)
    {
        var tcp = system.TcpStream();
        var binding = await tcp.Bind("127.0.0.1", 0)
            .To(Sink.ForEach<Akka.Streams.Dsl.Tcp.IncomingConnection>(connection =>
                connection.HandleWith(tcp.OutgoingConnection("127.0.0.1", sinkPort), materializer)))
            .Run(materializer);
        return (((IPEndPoint)binding.LocalAddress).Port, new Stopper(async () => await binding.Unbind()));
    }

    private sealed class Stopper(Func<Task> stop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await stop();
    }
}
