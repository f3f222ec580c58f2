using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// Real node processes forming one cluster on loopback: every node gets its own cluster port and
/// the same seed (the first node), and the same route, served by tunnel clients connected anywhere.
/// </summary>
public static class ClusterHarness
{
    public const string RouteHost = "https-demo.example.com";

    public static string Routes(TunnelClient client, string upstreamUrl) => $$"""
        users = [ { email = "alice@example.com", ssh_keys = ["{{client.PublicKey}}"] } ]
        routes = [
          {
            from = "https://{{RouteHost}}"
            to = "{{upstreamUrl}}"
            allow_public_unauthenticated_access = true
            upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
          }
        ]
        """;

    public static string ClusterBlock(int clusterPort, int seedPort, int statusPort, string? relayBytePath = null) => $$"""
        cluster {
          hostname = "127.0.0.1"
          port = {{clusterPort}}
          seed_nodes = ["127.0.0.1:{{seedPort}}"]
          status_address = "127.0.0.1:{{statusPort}}"
          {{(relayBytePath is null ? "" : $"relay_byte_path = \"{relayBytePath}\"")}}
        }
        """;

    /// <summary>A node of the test cluster: the process (with its status listener) and its cluster port (the seed's is given to the others).</summary>
    public sealed record Member(GatewayNodeProcess Node, int ClusterPort)
    {
        public Task<(int Status, string Body)> GetStatusAsync(string path) => Node.GetStatusAsync(path);

        /// <summary>Polls <c>/status</c> until <paramref name="condition"/> holds (bounded); returns the last document's text.</summary>
        public Task<(bool Ok, string Json)> WaitForStatusAsync(Func<System.Text.Json.JsonElement, bool> condition, TimeSpan timeout)
            => Node.WaitForStatusAsync(condition, timeout);

        /// <summary>The number of endpoints <c>/status</c> lists for the test route.</summary>
        public static int EndpointCount(System.Text.Json.JsonElement status)
            => status.GetProperty("routes").EnumerateArray().Sum(r => r.GetProperty("endpoints").GetArrayLength());

        public static int UpMembers(System.Text.Json.JsonElement status)
            => status.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "Up" && m.GetProperty("reachable").GetBoolean());
    }

    /// <summary>Starts a node that joins through <paramref name="seedPort"/> (itself when null).</summary>
    public static async Task<Member> StartNodeAsync(TempDirectory dir, string routes, int? seedPort = null, string? relayBytePath = null)
    {
        var clusterPort = LoopbackPorts.Reserve();
        var statusPort = LoopbackPorts.Reserve();
        var node = GatewayNodeProcess.Create(dir, routes + "\n" + ClusterBlock(clusterPort, seedPort ?? clusterPort, statusPort, relayBytePath), statusPort: statusPort);
        await node.StartAsync(TimeSpan.FromSeconds(60));
        return new Member(node, clusterPort);
    }

    /// <summary>Curl through <paramref name="node"/> until the answer is 200 (bounded), then returns it.</summary>
    public static async Task<(string Body, int Status)> GetUntilOkAsync(GatewayNodeProcess node, string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        (string Body, int Status) reply;
        do
        {
            reply = Curl.Parse(await Curl.GetAsync(node, RouteHost, path));
            if (reply.Status == 200) return reply;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        return reply;
    }

    /// <summary>An HttpClient that sends every request to <paramref name="node"/>'s HTTPS port with the route's name (SNI and Host).</summary>
    /// <summary>A TCP connection to a node's port on 127.0.0.1, whatever host name the request carries.</summary>
    public static async ValueTask<Stream> ConnectLoopbackAsync(int port, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static HttpClient ClientFor(GatewayNodeProcess node)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = (_, ct) => ConnectLoopbackAsync(node.HttpsPort, ct),
            // Availability measurement only; the curl-based checks verify the node's certificate.
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://{RouteHost}:{node.HttpsPort.ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>One request of a load run: when it started (relative to the run), how long it took, whether it succeeded.</summary>
    public sealed record Sample(TimeSpan Start, TimeSpan End, bool Ok, string Detail);

    /// <summary>
    /// Sends GETs through <paramref name="client"/> from <paramref name="workers"/> loops until
    /// <paramref name="stop"/> is cancelled; every sample is timed against <paramref name="clock"/>.
    /// </summary>
    public static async Task<List<Sample>> RunLoadAsync(HttpClient client, string expectedPrefix, int workers, Stopwatch clock, CancellationToken stop,
        Action<Sample>? observe = null)
    {
        var samples = new List<Sample>();
        async Task Worker()
        {
            while (!stop.IsCancellationRequested)
            {
                var start = clock.Elapsed;
                bool ok;
                string detail;
                try
                {
                    using var response = await client.GetAsync("/load", CancellationToken.None);
                    var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    ok = response.StatusCode == HttpStatusCode.OK && body.StartsWith(expectedPrefix, StringComparison.Ordinal);
                    detail = $"{(int)response.StatusCode} {body[..Math.Min(body.Length, 500)]}";
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    ok = false;
                    detail = ex.GetType().Name + ": " + ex.Message + (ex.InnerException is { } inner ? " (" + inner.Message + ")" : "");
                }
                var sample = new Sample(start, clock.Elapsed, ok, detail);
                lock (samples) samples.Add(sample);
                observe?.Invoke(sample);
                if (!ok) await Task.Delay(20, CancellationToken.None);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker)));
        return samples;
    }
}
