using Gateway.Ssh.Tests.Transport;
using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Tests.Security;

/// <summary>
/// A peer that finishes key exchange, never authenticates, stops reading and keeps provoking
/// replies (unknown message type 8, answered with UNIMPLEMENTED each) must be disconnected
/// before the replies it owes grow the server's memory.
/// </summary>
[Collection(MemoryMeasurements.Name)]
public class OwedRepliesTests
{
    [Fact]
    public async Task Peer_that_stops_reading_while_provoking_unimplemented_replies_is_disconnected()
    {
        using var sockets = await SocketPair.CreateAsync();
        var serverOptions = TransportFactory.ServerOptions();
        var clientStream = new PausableStream(sockets.Client.GetStream());
        var serverTask = SshTransport.AcceptAsync(sockets.Server.GetStream(), serverOptions, sockets.Server.Client.RemoteEndPoint);
        var clientTask = SshTransport.ConnectAsync(clientStream, TransportFactory.ClientOptions());
        await Task.WhenAll(serverTask, clientTask).WaitAsync(TimeSpan.FromSeconds(30));
        await using var server = serverTask.Result;
        await using var client = clientTask.Result;

        clientStream.PauseReading();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peakGrowth = 0;
        long sent = 0;
        const long sendLimit = 64L * 1024 * 1024;
        const long growthLimit = 96L * 1024 * 1024;
        byte[] unknown = [8, 0, 0, 0, 0];
        try
        {
            while (!server.Completion.IsCompleted && sent < sendLimit && peakGrowth < growthLimit)
            {
                for (var i = 0; i < 4096; i++)
                {
                    await client.SendAsync(unknown).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                    sent += 32; // one small packet on the wire (aes-gcm or chacha20: 32 bytes)
                }
                peakGrowth = Math.Max(peakGrowth, GC.GetTotalMemory(forceFullCollection: false) - baseline);
            }
        }
        catch (Exception ex) when (ex is SshConnectionClosedException or TimeoutException)
        {
            // The server closed the connection under our writes: what the test expects.
        }

        Assert.True(peakGrowth < growthLimit, $"heap grew by {peakGrowth / 1024 / 1024} MiB while the peer was not reading");
        var outcome = await TransportFactory.EndAsync(server.Completion, TimeSpan.FromSeconds(10));
        var closed = Assert.IsType<SshConnectionClosedException>(outcome);
        Assert.Contains("peer stopped reading", closed.Message);
        Assert.True(sent < sendLimit, $"disconnected only after {sent / 1024 / 1024} MiB");
    }
}

/// <summary>Tests that measure the process heap run alone: other tests' allocations would count in it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurements
{
    public const string Name = "memory measurements";
}
