using System.Net;
using System.Net.Sockets;

namespace Gateway.Node.Tests.Health.Support;

/// <summary>
/// A TcpListener on 127.0.0.1 that runs <c>serve</c> for each accepted connection (then closes
/// it) and counts the connections and the bytes it received on them.
/// </summary>
public sealed class ScriptedTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<NetworkStream, CancellationToken, Task> _serve;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _accepted;

    public ScriptedTcpServer(Func<NetworkStream, CancellationToken, Task> serve)
    {
        _serve = serve;
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _accepting = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Reads until <paramref name="expected"/> bytes arrived (or the peer closed); returns what came.</summary>
    public static async Task<byte[]> ReadExactlyOrEndAsync(NetworkStream stream, int expected, CancellationToken ct)
    {
        var buffer = new byte[expected];
        var filled = 0;
        while (filled < expected)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), ct);
            if (read == 0)
                break;
            filled += read;
        }
        return buffer[..filled];
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await _serve(client.GetStream(), _stop.Token);
                    }
                    catch (Exception) when (_stop.IsCancellationRequested)
                    {
                    }
                    catch (IOException)
                    {
                        // The checker closed first: expected once it has its verdict.
                    }
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting.WaitAsync(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
