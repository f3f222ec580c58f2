using Gateway.Ssh.Connection;
using Gateway.Ssh.Tests.Connection;

namespace Gateway.Ssh.Tests.Security;

/// <summary>
/// An authenticated peer must not be able to make the server hold unbounded memory by opening
/// channels: their number and the data buffered for them are capped per connection.
/// </summary>
public sealed class ChannelLimitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Peer_cannot_open_more_than_64_channels()
    {
        // Small windows, so only the channel count can be the limit.
        var small = new SshConnectionOptions { InitialWindowSize = 64 * 1024 };
        await using var pair = new ConnectionPair(small, small, capacity: 512);
        pair.ServeSessions(_ => Task.CompletedTask);

        var opened = new List<SshChannel>();
        for (var i = 0; i < 64; i++)
            opened.Add(await pair.Client.OpenSessionAsync().WaitAsync(Timeout));
        var refused = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Client.OpenSessionAsync().WaitAsync(Timeout));
        Assert.Equal(ChannelOpenFailureReason.ResourceShortage, refused.ReasonCode);

        // Closing one frees its place.
        await opened[0].CloseAsync();
        await opened[0].Completion.WaitAsync(Timeout);
        var again = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task Channels_whose_windows_exceed_the_connection_budget_are_refused()
    {
        // Defaults: 2 MiB windows and 32 MiB for what the peer may have buffered.
        await using var pair = new ConnectionPair(capacity: 512);
        pair.ServeSessions(_ => Task.CompletedTask);

        var opened = new List<SshChannel>();
        for (var i = 0; i < 16; i++)
        {
            var channel = await pair.Client.OpenSessionAsync().WaitAsync(Timeout);
            // Nobody reads session input on the server: every byte stays buffered there.
            await channel.Stream.WriteAsync(new byte[2 * 1024 * 1024]).AsTask().WaitAsync(Timeout);
            opened.Add(channel);
        }
        var refused = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Client.OpenSessionAsync().WaitAsync(Timeout));
        Assert.Equal(ChannelOpenFailureReason.ResourceShortage, refused.ReasonCode);
        Assert.Contains("buffered", refused.Description);
    }
}
