using System.Buffers;

namespace Gateway.Actors.DataPlane;

/// <summary>Bytes read into an array rented from the shared pool; <see cref="Release"/> returns it.</summary>
public sealed class PooledChunk : ByteChunk
{
    private byte[]? _array;
    private readonly int _length;

    public PooledChunk(byte[] rented, int length)
    {
        _array = rented;
        _length = length;
    }

    public override ReadOnlySequence<byte> Bytes
        => new(_array ?? throw new ObjectDisposedException(nameof(PooledChunk)), 0, _length);

    public override void Release()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array) ArrayPool<byte>.Shared.Return(array);
    }
}
