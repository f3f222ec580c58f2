using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// <c>ssh_max_connections</c> caps the SSH connections a node holds: beyond it a new connection
/// is closed on accept, before the version line, and the node says why.
/// </summary>
public sealed class SshConnectionLimitTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>What the server sends first: its version line, or "" when it closes at once.</summary>
    private static async Task<string> FirstBytesAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var buffer = new byte[256];
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    [Fact]
    public async Task Connections_beyond_ssh_max_connections_are_closed_on_accept()
    {
        await using var node = await GatewayNodeProcess.StartAsync(_dir, "ssh_max_connections = 2\n");
        using var first = await ConnectAsync(node.SshPort);
        using var second = await ConnectAsync(node.SshPort);
        Assert.StartsWith("SSH-2.0-", await FirstBytesAsync(first));
        Assert.StartsWith("SSH-2.0-", await FirstBytesAsync(second));

        using var third = await ConnectAsync(node.SshPort);
        string answer;
        try
        {
            answer = await FirstBytesAsync(third);
        }
        catch (SocketException)
        {
            answer = ""; // reset rather than closed: refused all the same
        }
        Assert.Equal("", answer);

        // A slot frees when a connection ends.
        first.Close();
        var deadline = DateTime.UtcNow + Timeout;
        string again;
        do
        {
            using var retry = await ConnectAsync(node.SshPort);
            try { again = await FirstBytesAsync(retry); } catch (SocketException) { again = ""; }
            if (again.Length == 0) await Task.Delay(100);
        }
        while (again.Length == 0 && DateTime.UtcNow < deadline);
        Assert.StartsWith("SSH-2.0-", again);
        Assert.Contains("dropped", node.Log);
    }
}
