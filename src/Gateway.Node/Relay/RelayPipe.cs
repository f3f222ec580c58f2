using Gateway.Ssh;
using System.Buffers;
using System.Net.Sockets;
using Gateway.Ssh.Connection;

namespace Gateway.Node.Relay;

/// <summary>
/// Splices a relay connection (the socket, or TLS over it) and an SSH channel in both directions. Back-pressure is end to end: a
/// direction reads only after its previous write finished, and writes wait for the TCP window or
/// the channel window. Half-close travels across: EOF from the socket becomes channel EOF, EOF
/// from the channel becomes a socket shutdown(send); the splice ends when both directions did,
/// or at once when either fails.
/// </summary>
public static class RelayPipe
{
    private const int BufferSize = 32 * 1024;

    public static async Task RunAsync(Socket socket, Stream network, Stream channelStream, SshChannel channel, CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var toChannel = CopyAsync(network, channelStream, () => channel.SendEofAsync(failed.Token), failed);
        var toSocket = CopyAsync(channelStream, network, () => RelayTls.ShutdownSendAsync(network, socket), failed);
        await Task.WhenAll(toChannel, toSocket).ConfigureAwait(false);
    }

    /// <summary>Copies until EOF, then half-closes; on failure cancels the other direction.</summary>
    private static async Task CopyAsync(Stream from, Stream to, Func<Task> halfClose, CancellationTokenSource failed)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer.AsMemory(0, BufferSize), failed.Token).ConfigureAwait(false)) > 0)
                await to.WriteAsync(buffer.AsMemory(0, read), failed.Token).ConfigureAwait(false);
            await halfClose().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or SshConnectionClosedException)
        {
            await failed.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
