using System.Net;
using System.Net.Sockets;

namespace Gateway.Node.Tests.Http.Support;

/// <summary>Waiting for a process started by a test to accept connections.</summary>
public static class PortWait
{
    /// <summary>Polls until something accepts on the port; bounded in time.</summary>
    public static async Task UntilListeningAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
