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
