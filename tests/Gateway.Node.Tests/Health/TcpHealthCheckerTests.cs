using System.Diagnostics;
using System.Text;
using Gateway.Actors.Health;
using Gateway.Config;
using Gateway.Node.Health;
using Gateway.Node.Tests.Health.Support;

namespace Gateway.Node.Tests.Health;

/// <summary>tcp_health_check against a real TcpListener.</summary>
public sealed class TcpHealthCheckerTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);
    private static readonly HealthProbeTarget Target = new(new Uri("http://db.internal:5432"));

    private static HealthCheckPayload Text(string text) => new(Encoding.ASCII.GetBytes(text));

    private static TcpHealthChecker Checker(HealthCheckPayload? send, IReadOnlyList<HealthCheckPayload> receive, double timeoutSeconds = 5)
        => new(new TcpHealthCheck(send, receive), TimeSpan.FromSeconds(timeoutSeconds));

    private static async Task<HealthProbeResult> CheckAsync(IHealthChecker checker, StreamOpener opener)
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        return await checker.CheckAsync(Target, opener.OpenAsync, cts.Token);
    }

    [Fact]
    public async Task Without_payloads_a_connection_is_enough()
    {
        await using var server = new ScriptedTcpServer(async (_, ct) => await Task.Delay(Timeout.Infinite, ct));
        var opener = new StreamOpener(server.EndPoint);

        Assert.Equal(HealthProbeResult.Success("connected"), await CheckAsync(Checker(null, []), opener));
        Assert.Equal(HealthProbeResult.Success("connected"), await CheckAsync(Checker(null, []), opener));

        Assert.Equal(2, opener.Opened);
        Assert.Equal(2, opener.Disposed);
        Assert.Equal(2, server.Accepted);
    }

    [Fact]
    public async Task Send_is_written_and_receive_payloads_match_in_order_across_gaps_and_reads()
    {
        var received = new List<string>();
        await using var server = new ScriptedTcpServer(async (stream, ct) =>
        {
            var request = await ScriptedTcpServer.ReadExactlyOrEndAsync(stream, 4, ct);
            lock (received)
                received.Add(Encoding.ASCII.GetString(request));
            // The two expected blocks arrive split over several writes, with other bytes around them.
            foreach (var part in new[] { "+", "PO", "..", "N", "G\r\n" })
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(part), ct);
                await stream.FlushAsync(ct);
                await Task.Delay(20, ct);
            }
            await Task.Delay(Timeout.Infinite, ct);
        });
        var opener = new StreamOpener(server.EndPoint);

        var result = await CheckAsync(Checker(Text("PING"), [Text("PO"), Text("NG")]), opener);

        Assert.Equal(HealthProbeResult.Success("expected response received, sent 4 bytes"), result);
        Assert.Equal(["PING"], received);
        Assert.Equal(1, opener.Disposed);
    }

    [Fact]
    public async Task Payloads_out_of_order_do_not_match_and_the_close_is_a_counted_failure()
    {
        await using var server = new ScriptedTcpServer(async (stream, ct) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("NG then PO"), ct);
        });
        var opener = new StreamOpener(server.EndPoint);

        var result = await CheckAsync(Checker(null, [Text("PO"), Text("NG")]), opener);

        Assert.Equal(HealthProbeResult.Failure("connection closed after 10 bytes without the expected response"), result);
        Assert.Equal(1, opener.Disposed);
    }

    [Fact]
    public async Task A_wrong_answer_on_a_connection_that_stays_open_is_a_timeout()
    {
        await using var server = new ScriptedTcpServer(async (stream, ct) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("-ERR"), ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        var opener = new StreamOpener(server.EndPoint);
        var watch = Stopwatch.StartNew();

        var result = await CheckAsync(Checker(Text("PING"), [Text("+PONG")], timeoutSeconds: 0.4), opener);

        Assert.Equal(HealthProbeResult.Failure("timeout after 400ms"), result);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(3));
        Assert.Equal(1, opener.Disposed);
    }

    [Fact]
    public async Task The_receive_buffer_is_bounded()
    {
        await using var server = new ScriptedTcpServer(async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[TcpHealthChecker.MaxReceiveBytes + 4096], ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        var opener = new StreamOpener(server.EndPoint);

        var result = await CheckAsync(Checker(null, [Text("OK")]), opener);

        Assert.Equal(HealthProbeResult.Failure($"the expected response was not in the first {TcpHealthChecker.MaxReceiveBytes} bytes"), result);
    }

    [Fact]
    public async Task A_refused_connection_is_a_counted_failure()
    {
        var opener = new StreamOpener(HttpHealthCheckerTests.ClosedPort());
        var result = await CheckAsync(Checker(null, []), opener);
        Assert.Equal(HealthProbeOutcome.Failure, result.Outcome);
        Assert.StartsWith("connect failed: ", result.Detail);
        Assert.Equal(1, opener.Opened);
    }
}
