using System.Net;
using System.Net.Sockets;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// A local service that never answers: it accepts connections and reads whatever arrives (the
/// gateway's stray SOCKS greeting, when a static-mode client forwards to it) but writes nothing,
/// and counts the connections it accepted and those its peer closed.
/// </summary>
public sealed class SilentService : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _accepted;
    private int _closed;
    private long _bytes;

    public SilentService()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Accepted => Volatile.Read(ref _accepted);
    public int Closed => Volatile.Read(ref _closed);
    public long BytesReceived => Interlocked.Read(ref _bytes);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            lock (_connections) _connections.Add(ReadUntilClosedAsync(socket));
        }
    }

    private async Task ReadUntilClosedAsync(Socket socket)
    {
        using var _ = socket;
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
                Interlocked.Add(ref _bytes, read);
            Interlocked.Increment(ref _closed);
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref _closed);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] all;
        lock (_connections) all = [.. _connections, _accepting];
        await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
