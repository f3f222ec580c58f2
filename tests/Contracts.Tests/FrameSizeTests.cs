using Gateway.Contracts.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Gateway.Contracts.Tests;

/// <summary>
/// The largest message between nodes is a route's full endpoint set (published by its route actor
/// after every change). Akka.Remote drops a message larger than its frame, so the set a route can
/// hold is bounded by it; these tests pin that bound.
/// </summary>
public sealed class FrameSizeTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(RemoteSystemConfig.Create(), "gateway", output)
{
    /// <summary>Room for the remoting envelope and the pub-sub wrapper around the payload (paths, topic, manifest).</summary>
    private const int EnvelopeReserve = 2048;

    private long MaximumFrameSize => Sys.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size")
        ?? throw new InvalidOperationException("no maximum-frame-size configured");

    private int SizeOfFullSet(int endpoints)
    {
        var message = GatewayMessageSamples.FullSet(endpoints);
        return Sys.Serialization.FindSerializerFor(message).ToBinary(message).Length;
    }

    /// <summary>A node runs with this too: ClusterSetup.Defaults does not set it (an operator's akka { } block could).</summary>
    [Fact]
    public void The_frame_is_Akka_Remote_s_default()
    {
        Assert.Equal(128_000, MaximumFrameSize);
    }

    [Fact]
    public void A_route_with_300_endpoints_fits_in_one_frame()
    {
        var size = SizeOfFullSet(300);
        output.WriteLine($"300 endpoints: {size} bytes of {MaximumFrameSize}");
        Assert.True(size + EnvelopeReserve <= MaximumFrameSize, $"300 endpoints take {size} bytes; the frame is {MaximumFrameSize}");
    }

    [Fact]
    public void A_route_with_1000_endpoints_does_not_fit_and_needs_deltas()
    {
        // Recorded so that the limit is known, not discovered in production: at fleet size the full
        // set must be replaced by deltas (or the frame raised) before a route grows past ~300 tunnels.
        var size = SizeOfFullSet(1000);
        output.WriteLine($"1000 endpoints: {size} bytes of {MaximumFrameSize}");
        Assert.True(size > MaximumFrameSize, $"1000 endpoints take {size} bytes, within the {MaximumFrameSize}-byte frame: update docs/cluster.md and this test");
    }
}
