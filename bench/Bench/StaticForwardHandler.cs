using System.Net;
using Gateway.Ssh;
using System.Net.Sockets;
using Gateway.Ssh.Connection;

namespace Gateway.Bench;

/// <summary>
/// The client side of a static remote forward (<c>ssh -R host:443:127.0.0.1:PORT</c>): every
/// forwarded-tcpip channel the server opens is connected to 127.0.0.1:<paramref name="targetPort"/>
/// and the bytes are copied both ways, each direction's end passed on as EOF.
/// </summary>
public sealed class StaticForwardHandler(int targetPort) : SshConnectionHandler, ISshConnectionHandler
{
    ValueTask<ChannelOpenDecision> ISshConnectionHandler.OnChannelOpenAsync(ChannelOpenRequest request)
        => ValueTask.FromResult(request.Type == ChannelOpenRequest.ForwardedTcpIp
            ? ChannelOpenDecision.Accept(channel => _ = PipeAsync(channel))
            : ChannelOpenDecision.Refuse());

    private async Task PipeAsync(SshChannel channel)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, targetPort), connect.Token);
            await using var local = new NetworkStream(socket, ownsSocket: false);
            var up = Task.Run(async () =>
            {
                await channel.Stream.CopyToAsync(local);
                socket.Shutdown(SocketShutdown.Send);
            });
            var down = Task.Run(async () =>
            {
                await local.CopyToAsync(channel.Stream);
                await channel.SendEofAsync();
            });
            await Task.WhenAll(up, down);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or SshConnectionClosedException) { }
        finally
        {
            try { await channel.CloseAsync(); } catch (Exception) { }   // the connection may be gone already
        }
    }
}
