using System.Buffers.Binary;

namespace Gateway.Ssh.Crypto;

/// <summary>The cipher in force before the first NEWKEYS: no encryption, no MAC.</summary>
internal sealed class NoneCipher : IPacketCipher
{
    public int BlockSize => 8;

    public int TagLength => 0;

    public bool LengthIsAligned => true;

    public uint DecryptLength(uint sequenceNumber, ReadOnlySpan<byte> firstFourBytes)
    {
        PacketGuard.RequireLengthBytes(firstFourBytes);
        return BinaryPrimitives.ReadUInt32BigEndian(firstFourBytes);
    }

    public bool Open(uint sequenceNumber, Span<byte> packet) => PacketGuard.HasConsistentLength(packet, 0);

    public void Seal(uint sequenceNumber, Span<byte> packet) => PacketGuard.RequireSealable(packet, 0);

    public void Dispose()
    {
    }
}
