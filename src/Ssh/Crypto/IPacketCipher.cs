namespace Gateway.Ssh.Crypto;

/// <summary>
/// Protects one direction of the binary packet protocol (RFC 4253 §6) for one key epoch.
/// A packet on the wire is <c>uint32 packet_length ‖ body[packet_length] ‖ tag[TagLength]</c>, where
/// body = <c>byte padding_length ‖ payload ‖ padding</c>. Implementations work in place on one
/// buffer and never allocate per packet.
/// </summary>
public interface IPacketCipher : IDisposable
{
    /// <summary>The body is padded to a multiple of this (at least 8).</summary>
    int BlockSize { get; }

    /// <summary>Bytes of MAC or AEAD tag that follow the body on the wire (0 for none).</summary>
    int TagLength { get; }

    /// <summary>
    /// True when the 4-byte length counts towards the block alignment (only the "none" cipher;
    /// AEAD and EtM modes align the body alone).
    /// </summary>
    bool LengthIsAligned { get; }

    /// <summary>
    /// Reads <c>packet_length</c> from the first four bytes as received, decrypting them if this
    /// cipher encrypts the length (chacha20-poly1305). Does not authenticate anything.
    /// </summary>
    uint DecryptLength(uint sequenceNumber, ReadOnlySpan<byte> firstFourBytes);

    /// <summary>
    /// Authenticates and decrypts in place. <paramref name="packet"/> spans length, body and tag
    /// exactly as received. On success the body (from offset 4) holds plaintext and the length
    /// field holds the plaintext length. Returns false when the tag or MAC does not verify; the
    /// buffer content is then unspecified.
    /// </summary>
    bool Open(uint sequenceNumber, Span<byte> packet);

    /// <summary>
    /// Encrypts in place. <paramref name="packet"/> spans the plaintext length field, the padded
    /// plaintext body and <see cref="TagLength"/> bytes of room for the tag, which this fills.
    /// </summary>
    void Seal(uint sequenceNumber, Span<byte> packet);
}
