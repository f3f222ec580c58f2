using System.Buffers.Binary;

namespace Gateway.Ssh.Crypto;

/// <summary>Shape checks shared by the ciphers, so a malformed span never reaches the crypto code.</summary>
internal static class PacketGuard
{
    public static void RequireLengthBytes(ReadOnlySpan<byte> firstFourBytes)
    {
        if (firstFourBytes.Length < 4)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "Packet length field is truncated.");
    }

    /// <summary>
    /// True when the span holds a length field, at least one body byte and the tag, and the
    /// plaintext length field (when it is plaintext) agrees with the span.
    /// </summary>
    public static bool HasConsistentLength(ReadOnlySpan<byte> packet, int tagLength)
    {
        if (packet.Length < 4 + 1 + tagLength) return false;
        return BinaryPrimitives.ReadUInt32BigEndian(packet) == (uint)(packet.Length - 4 - tagLength);
    }

    /// <summary>Our own outgoing packets must be well formed; a violation is a bug in the caller.</summary>
    public static void RequireSealable(ReadOnlySpan<byte> packet, int tagLength)
    {
        if (packet.Length < 4 + 1 + tagLength || BinaryPrimitives.ReadUInt32BigEndian(packet) != (uint)(packet.Length - 4 - tagLength))
            throw new ArgumentException("Packet span does not match its length field and tag room.", nameof(packet));
    }
}
