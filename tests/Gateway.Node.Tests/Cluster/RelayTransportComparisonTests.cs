using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Xunit.Abstractions;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// The measurement behind the relay's transport choice (docs/cluster.md): the same bytes through
/// a middle hop built (a) as the relay is, two socket copy loops, and (b) with Akka.Streams TCP
/// (<c>TcpStream().Bind</c> handled by <c>OutgoingConnection</c>), on loopback in this process.
/// </summary>
[Trait("Category", "Slow")]
public sealed class RelayTransportComparisonTests : IAsyncLifetime
{
    private const long Total = 192L * 1024 * 1024;
    private const int Chunk = 64 * 1024;
    private readonly ITestOutputHelper _output;
    private ActorSystem _system = null!;
    private IMaterializer _materializer = null!;

    public RelayTransportComparisonTests(ITestOutputHelper output) => _output = output;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("relay-bench", "akka.loglevel = WARNING");
        _materializer = _system.Materializer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    [Fact]
    public async Task Socket_splice_and_Akka_Streams_tcp_both_carry_every_byte_and_report_their_rates()
    {
        var socketRates = new List<double>();
        var akkaRates = new List<double>();
        for (var round = 0; round < 2; round++)
        {
            socketRates.Add(await MeasureAsync(StartSocketSpliceAsync));
            akkaRates.Add(await MeasureAsync(StartAkkaStreamsHopAsync));
        }
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"socket splice: {string.Join(", ", socketRates.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))} MB/s; Akka.Streams TCP: {string.Join(", ", akkaRates.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))} MB/s"));
    }

    /// <summary>Sends <see cref="Total"/> bytes through a hop to a counting sink; returns MB/s once the sink saw EOF.</summary>
    private async Task<double> MeasureAsync(Func<int, Task<(int Port, IAsyncDisposable Hop)>> startHop)
    {
        using var sink = new TcpListener(IPAddress.Loopback, 0);
        sink.Start();
        var sinkPort = ((IPEndPoint)sink.LocalEndpoint).Port;
        var counted = Task.Run(async () =>
        {
            using var socket = await sink.AcceptSocketAsync();
            var buffer = new byte[Chunk];
            long total = 0;
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0) total += read;
            return total;
        });
        var (port, hop) = await startHop(sinkPort);
        await using (hop)
        {
            var clock = Stopwatch.StartNew();
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            var data = new byte[Chunk];
            Random.Shared.NextBytes(data);
            for (long sent = 0; sent < Total; sent += Chunk) await client.SendAsync(data);
            client.Shutdown(SocketShutdown.Send);
            var received = await counted.WaitAsync(TimeSpan.FromSeconds(120));
            clock.Stop();
            Assert.Equal(Total, received);
            return Total / (1024.0 * 1024) / clock.Elapsed.TotalSeconds;
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

    private async Task<(int Port, IAsyncDisposable Hop)> StartAkkaStreamsHopAsync(int sinkPort)
    {
        var materializer = _materializer;
        var tcp = _system.TcpStream();
        var binding = await tcp.Bind("127.0.0.1", 0)
            .To(Sink.ForEach<Akka.Streams.Dsl.Tcp.IncomingConnection>(connection =>
                connection.HandleWith(tcp.OutgoingConnection("127.0.0.1", sinkPort), materializer)))
            .Run(materializer);
        return (((IPEndPoint)binding.LocalAddress).Port, new Stopper(async () =>
        {
            await binding.Unbind();
        }));
    }

    private sealed class Stopper(Func<Task> stop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await stop();
    }
}
