namespace Gateway.Actors.Endpoints;

/// <summary>
/// How many endpoint-directory messages this node sent and received since it started: the
/// control-plane traffic an operator (or the fleet benchmark) reads from <c>/status</c>. At rest
/// only digests should move.
/// </summary>
public sealed class EndpointDirectoryCounters
{
    private long _deltasPublished, _digestsPublished, _snapshotPartsSent;
    private long _deltasReceived, _digestsReceived, _snapshotPartsReceived, _snapshotRequestsSent;

    public long DeltasPublished => Interlocked.Read(ref _deltasPublished);
    public long DigestsPublished => Interlocked.Read(ref _digestsPublished);
    public long SnapshotPartsSent => Interlocked.Read(ref _snapshotPartsSent);
    public long DeltasReceived => Interlocked.Read(ref _deltasReceived);
    public long DigestsReceived => Interlocked.Read(ref _digestsReceived);
    public long SnapshotPartsReceived => Interlocked.Read(ref _snapshotPartsReceived);
    public long SnapshotRequestsSent => Interlocked.Read(ref _snapshotRequestsSent);

    public void DeltaPublished() => Interlocked.Increment(ref _deltasPublished);
    public void DigestPublished() => Interlocked.Increment(ref _digestsPublished);
    public void SnapshotPartSent() => Interlocked.Increment(ref _snapshotPartsSent);
    public void DeltaReceived() => Interlocked.Increment(ref _deltasReceived);
    public void DigestReceived() => Interlocked.Increment(ref _digestsReceived);
    public void SnapshotPartReceived() => Interlocked.Increment(ref _snapshotPartsReceived);
    public void SnapshotRequestSent() => Interlocked.Increment(ref _snapshotRequestsSent);
}
