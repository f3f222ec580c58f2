using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Node.Tests.Http.Grpc;
using Grpc.Net.Client;

namespace Gateway.Bench;

/// <summary>
/// N concurrent unary Echo.Say calls for T seconds over one gRPC channel. The URL's host is the
/// :authority and TLS server name (the gateway picks the route by it); the TCP connection always
/// goes to --connect (127.0.0.1:port), so no name resolution is involved.
/// </summary>
public static class GrpcLoad
{
    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var url = args.Get("url");
        var connect = IPEndPoint.Parse(args.Get("connect"));
        var concurrency = args.GetInt("concurrency", 32);
        var duration = TimeSpan.FromSeconds(args.GetDouble("seconds", 5));
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(connect, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        // The gateway's local CA is generated per run; the benchmark measures speed, not trust.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = handler });
        var client = new Echo.EchoClient(channel);
        var request = new EchoRequest { Text = "ping" };

        // warm-up: establishes the connection and JITs the path; its failure fails the run
        for (var i = 0; i < 20; i++) await client.SayAsync(request, cancellationToken: cancellationToken);

        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(duration);
        var latencies = new List<double>[concurrency];
        long errors = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(4096);
            while (!window.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await client.SayAsync(request, cancellationToken: CancellationToken.None);
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                catch (Grpc.Core.RpcException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Pct(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(all.Length * p))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"calls={all.Length} errors={errors} seconds={elapsed:F2} rps={all.Length / elapsed:F0} p50_ms={Pct(0.5):F3} p99_ms={Pct(0.99):F3}"));
        return errors > all.Length / 100 ? 1 : 0;
    }
}
