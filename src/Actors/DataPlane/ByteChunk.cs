using System.Buffers;

namespace Gateway.Actors.DataPlane;

/// <summary>
/// One element of a connection's byte graph: bytes that stay valid until <see cref="Release"/>,
/// which the stage that consumed them calls once they are written. Releasing hands the memory
/// back where it came from (the array pool, or the SSH channel's input pipe, which then returns
/// window to the peer), so a chunk is never copied between the stage that read it and the stage
/// that writes it.
/// </summary>
public abstract class ByteChunk
{
    /// <summary>The bytes; valid until <see cref="Release"/>.</summary>
    public abstract ReadOnlySequence<byte> Bytes { get; }

    /// <summary>False for bytes the gateway adds itself (a protocol reply), which the byte counts leave out.</summary>
    public virtual bool IsPayload => true;

    /// <summary>Gives the memory back; called once, by whoever consumed the chunk.</summary>
    public abstract void Release();
}
