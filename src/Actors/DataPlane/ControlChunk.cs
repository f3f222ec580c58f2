using System.Buffers;

namespace Gateway.Actors.DataPlane;

/// <summary>Bytes the gateway itself sends ahead of the payload (the relay's "open" reply): not pooled, not counted.</summary>
public sealed class ControlChunk(ReadOnlyMemory<byte> bytes) : ByteChunk
{
    public override ReadOnlySequence<byte> Bytes => new(bytes);

    public override bool IsPayload => false;

    public override void Release()
    {
    }
}
