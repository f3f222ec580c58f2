using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Gateway.Actors.DataPlane;

/// <summary>
/// The graph that carries one connection's bytes both ways between its downstream side (a relay
/// socket) and its tunnel side (an SSH channel): two flows, one interpreter, one shared kill
/// switch. Back-pressure is each sink's demand; each direction half-closes its target when its
/// source ends; a failure of either direction aborts both (a broken connection is not
/// half-usable). Optional bytes go to the downstream ahead of the tunnel's (a protocol reply),
/// and on a static forward a first chunk that looks like SOCKS is refused, so a downstream cannot
/// drive the SSH client's SOCKS server.
/// </summary>
public static class DuplexByteGraph
{
    public const string SocksRefused = "a downstream tried to speak SOCKS through a static forward";

    /// <summary>What a running graph gives its owner.</summary>
    public sealed record Control(SharedKillSwitch KillSwitch, Task Completion);

    public static Control Run(GraphEnd downstream, GraphEnd tunnel, ReadOnlyMemory<byte> firstToDownstream, bool refuseSocks,
        ByteCounts counts, Action<Task> leftInFlight, IMaterializer materializer, string name)
    {
        var kill = KillSwitches.Shared(name);
        var toDownstream = firstToDownstream.IsEmpty
            ? tunnel.Incoming
            : Source.Single<ByteChunk>(new ControlChunk(firstToDownstream)).Concat(tunnel.Incoming);
        var toTunnel = refuseSocks ? downstream.Incoming.Via(SocksGuard()) : downstream.Incoming;
        var toDownstreamSink = new StreamWriteSink(downstream.Outgoing, downstream.HalfClose, counts.AddToDownstream, leftInFlight);
        var toTunnelSink = new StreamWriteSink(tunnel.Outgoing, tunnel.HalfClose, counts.AddToUpstream, leftInFlight);

        var graph = RunnableGraph.FromGraph(GraphDsl.Create(toDownstreamSink, toTunnelSink, Keep.Both, (builder, downSink, tunnelSink) =>
        {
            builder.From(builder.Add(toDownstream.Via(kill.Flow<ByteChunk>())).Outlet).To(downSink.Inlet);
            builder.From(builder.Add(toTunnel.Via(kill.Flow<ByteChunk>())).Outlet).To(tunnelSink.Inlet);
            return ClosedShape.Instance;
        }));
        var (toDownstreamDone, toTunnelDone) = graph.Run(materializer);
        return new Control(kill, BothAsync(toDownstreamDone, toTunnelDone, kill));
    }

    /// <summary>Completes when both directions have; fails with the first failure, after aborting the other direction.</summary>
    private static async Task BothAsync(Task a, Task b, SharedKillSwitch kill)
    {
        var first = await Task.WhenAny(a, b).ConfigureAwait(false);
        if (first.IsFaulted) kill.Abort(first.Exception!.GetBaseException());
        await Task.WhenAll(a, b).ConfigureAwait(false);
    }

    private static Flow<ByteChunk, ByteChunk, NotUsed> SocksGuard()
    {
        var first = true;
        return Flow.Create<ByteChunk>().Select(chunk =>
        {
            if (!first) return chunk;
            first = false;
            var bytes = chunk.Bytes;
            if (!bytes.IsEmpty && bytes.FirstSpan[0] is 0x04 or 0x05)
            {
                chunk.Release();
                throw new IOException(SocksRefused);
            }
            return chunk;
        });
    }
}
