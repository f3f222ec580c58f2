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
    /// <summary>Upper bounds (ms) of the buckets of <see cref="OpenTimes"/>; the last bucket is everything slower.</summary>
    public static readonly int[] OpenBucketsMs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000];

    private readonly long[] _localOpens = new long[OpenBucketsMs.Length + 1];
    private readonly long[] _relayedOpens = new long[OpenBucketsMs.Length + 1];

    /// <summary>
    /// Records how long a successful open took (local: channel and SOCKS; relayed: relay connect,
    /// ticket, and the owner's open), the measurement behind the short bound (docs/cluster.md).
    /// </summary>
    public void RecordOpen(bool relayed, TimeSpan took)
    {
        var ms = took.TotalMilliseconds;
        var bucket = 0;
        while (bucket < OpenBucketsMs.Length && ms > OpenBucketsMs[bucket]) bucket++;
        Interlocked.Increment(ref (relayed ? _relayedOpens : _localOpens)[bucket]);
    }

    /// <summary>Successful opens since start by duration bucket ("≤N ms" per <see cref="OpenBucketsMs"/>, then "more").</summary>
    public IReadOnlyDictionary<string, long> OpenTimes(bool relayed)
    {
        var counts = relayed ? _relayedOpens : _localOpens;
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < counts.Length; i++)
            result[i < OpenBucketsMs.Length ? $"le_{OpenBucketsMs[i]}ms" : "more"] = Interlocked.Read(ref counts[i]);
        return result;
    }

    public void DownstreamActorStarted() => Interlocked.Increment(ref _downstreamActors);
    public void DownstreamActorStopped() => Interlocked.Decrement(ref _downstreamActors);
}
