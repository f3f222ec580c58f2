using Gateway.Contracts.Messages;
using Gateway.Contracts.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Gateway.Contracts.Tests;

/// <summary>
/// The largest messages between nodes are a node's endpoint deltas and snapshot parts. Akka.Remote
/// drops a message larger than its frame, so each carries at most
/// <see cref="NodeEndpointsDelta.MaxEndpointsPerMessage"/> endpoints; these tests pin that this fits.
/// </summary>
public sealed class FrameSizeTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(RemoteSystemConfig.Create(), "gateway", output)
{
    /// <summary>Room for the remoting envelope and the pub-sub wrapper around the payload (paths, topic, manifest).</summary>
    private const int EnvelopeReserve = 2048;

    private long MaximumFrameSize => Sys.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size")
        ?? throw new InvalidOperationException("no maximum-frame-size configured");

    private int SizeOf(object message) => Sys.Serialization.FindSerializerFor(message).ToBinary(message).Length;

    /// <summary>A node runs with this too: ClusterSetup.Defaults does not set it (an operator's akka { } block could).</summary>
    [Fact]
    public void The_frame_is_Akka_Remote_s_default()
    {
        Assert.Equal(128_000, MaximumFrameSize);
    }

    [Fact]
    public void A_full_snapshot_part_fits_in_one_frame_with_room_to_spare()
    {
        var size = SizeOf(GatewayMessageSamples.SnapshotPart(NodeEndpointsDelta.MaxEndpointsPerMessage));
        output.WriteLine($"{NodeEndpointsDelta.MaxEndpointsPerMessage} endpoints: {size} bytes of {MaximumFrameSize}");
        // Room for endpoints whose strings are longer than the sample's (long host names, IPv6 clients).
        Assert.True(2 * size + EnvelopeReserve <= MaximumFrameSize, $"a snapshot part takes {size} bytes; the frame is {MaximumFrameSize}");
    }

    [Fact]
    public void A_full_delta_fits_in_one_frame_with_room_to_spare()
    {
        var size = SizeOf(GatewayMessageSamples.FullDelta(NodeEndpointsDelta.MaxEndpointsPerMessage));
        Assert.True(2 * size + EnvelopeReserve <= MaximumFrameSize, $"a delta takes {size} bytes; the frame is {MaximumFrameSize}");
    }

    [Fact]
    public void A_node_with_1000_endpoints_needs_several_parts()
    {
        // Why snapshots come in parts: one message with a fleet's endpoints would be dropped.
        var size = SizeOf(GatewayMessageSamples.SnapshotPart(1000));
        Assert.True(size > MaximumFrameSize, $"1000 endpoints take {size} bytes, within the {MaximumFrameSize}-byte frame");
    }
}
