namespace Gateway.Actors.DataPlane;

/// <summary>
/// Payload bytes a connection's graph has written each way, counted by its sinks as each write
/// completes (so a count never includes bytes still in flight). Read by the connection's actor when
/// the connection ends, and by whoever shows live figures; the byte path sends no messages for it.
/// </summary>
public sealed class ByteCounts
{
    private long _toUpstream;
    private long _toDownstream;

    /// <summary>Bytes from the downstream written into the tunnel.</summary>
    public long ToUpstream => Interlocked.Read(ref _toUpstream);

    /// <summary>Bytes from the tunnel written to the downstream.</summary>
    public long ToDownstream => Interlocked.Read(ref _toDownstream);

    public void AddToUpstream(long count) => Interlocked.Add(ref _toUpstream, count);

    public void AddToDownstream(long count) => Interlocked.Add(ref _toDownstream, count);
}
