using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// An HTTP/1.1 upstream written on a plain socket, so that its bytes are exactly the test's: every
/// response body is the request head as received (request line and headers), and every response
/// carries <c>Connection: X-Hop</c> with an <c>X-Hop</c> header (hop-by-hop: the gateway must not
/// pass it on) and an <c>X-Kept</c> header (end-to-end). Keep-alive; bodies of requests are not read
/// (tests send GETs).
/// </summary>
public sealed class HeaderEchoUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private HeaderEchoUpstream()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Url => $"http://127.0.0.1:{Port}";

    public static HeaderEchoUpstream Start() => new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        using var stream = new NetworkStream(socket);
        var buffer = new byte[64 * 1024];
        var pending = new StringBuilder();
        try
        {
            while (true)
            {
                var end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0)
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0) return;
                    pending.Append(Encoding.Latin1.GetString(buffer, 0, read));
                    continue;
                }
                var head = pending.ToString(0, end);
                pending.Remove(0, end + 4);
                var body = Encoding.Latin1.GetBytes(head + "\n");
                var response = Encoding.Latin1.GetBytes(
                    "HTTP/1.1 200 OK\r\nConnection: X-Hop\r\nX-Hop: hop-secret\r\nX-Kept: end-to-end\r\n" +
                    $"Content-Type: text/plain\r\nContent-Length: {body.Length}\r\n\r\n");
                await stream.WriteAsync(response, _stop.Token);
                await stream.WriteAsync(body, _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
