namespace Gateway.Actors.Sessions;

/// <summary>
/// What the data path holds open on this node right now, read by <c>/status</c> so that a leak
/// shows as a number that does not come back down: forwarded-tcpip channels opened here and not
/// yet closed, relay connections (dialed to other nodes, accepted from them), and live
/// <see cref="DownstreamConnectionActor"/>s. One instance per node; updated with interlocked
/// operations on the open and close of each, never per byte.
/// </summary>
public sealed class DataPathCounters
{
    private long _channelsOpening;
    private long _channelsOpen;
    private long _relayOut;
    private long _relayIn;
    private long _downstreamActors;

    /// <summary>Channel opens sent and not answered yet (or abandoned and not answered yet).</summary>
    public long ChannelsOpening => Interlocked.Read(ref _channelsOpening);

    /// <summary>Forwarded-tcpip channels confirmed by the client and not yet closed.</summary>
    public long ChannelsOpen => Interlocked.Read(ref _channelsOpen);

    /// <summary>Relay connections this node dialed to other nodes and has not closed.</summary>
    public long RelayConnectionsOut => Interlocked.Read(ref _relayOut);

    /// <summary>Relay connections other nodes made to this node that are still being served.</summary>
    public long RelayConnectionsIn => Interlocked.Read(ref _relayIn);

    /// <summary>Live downstream connection actors (one per channel carrying downstream requests).</summary>
    public long DownstreamConnectionActors => Interlocked.Read(ref _downstreamActors);

    public void ChannelOpening() => Interlocked.Increment(ref _channelsOpening);
    public void ChannelOpeningEnded() => Interlocked.Decrement(ref _channelsOpening);
    public void ChannelOpened() => Interlocked.Increment(ref _channelsOpen);
    public void ChannelClosed() => Interlocked.Decrement(ref _channelsOpen);
    public void RelayOutOpened() => Interlocked.Increment(ref _relayOut);
    public void RelayOutClosed() => Interlocked.Decrement(ref _relayOut);
    public void RelayInOpened() => Interlocked.Increment(ref _relayIn);
    public void RelayInClosed() => Interlocked.Decrement(ref _relayIn);
    public void DownstreamActorStarted() => Interlocked.Increment(ref _downstreamActors);
    public void DownstreamActorStopped() => Interlocked.Decrement(ref _downstreamActors);
}
