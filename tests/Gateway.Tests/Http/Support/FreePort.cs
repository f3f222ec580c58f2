using System.Net;
using System.Net.Sockets;

namespace Gateway.Gateway.Tests.Http.Support;

public static class FreePort
{
    public static int Get() => global::Gateway.Testing.LoopbackPorts.Reserve();

    /// <summary>Polls until something accepts on the port; bounded in time.</summary>
    public static async Task WaitListeningAsync(int port, TimeSpan timeout)
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
