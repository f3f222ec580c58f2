using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gateway.Ssh.Crypto;

/// <summary>
/// chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305). 64 bytes of key material:
/// K_2 (first 32) encrypts the body from block counter 1 and yields the Poly1305 key from block 0;
/// K_1 (last 32) encrypts the 4-byte length with block 0. The nonce is the sequence number as a
/// big-endian uint64. The tag is Poly1305 over the encrypted length and encrypted body.
/// <para>
/// Speed: the body key stream comes from .NET's RFC 8439 AEAD. With nonce <c>0⁴ ‖ seq_be64</c> its
/// state equals DJB ChaCha20 with nonce <c>seq_be64</c>, and its ciphertext starts at counter 1 —
/// exactly the body encryption here; its own tag is computed over the wrong data and discarded.
/// Because XOR is symmetric, opening also calls Encrypt. Block 0 (for both keys) and Poly1305
/// are done here without allocation.
/// </para>
/// </summary>
internal sealed class ChaCha20Poly1305Cipher : IPacketCipher
{
    private const int TagSize = 16;

    // Null where the platform has no ChaCha20-Poly1305; the body then uses the scalar block function.
    private readonly System.Security.Cryptography.ChaCha20Poly1305? _bulk;
    private readonly uint[] _lengthKey = new uint[8];
    private readonly uint[] _bodyKey = new uint[8];

    public ChaCha20Poly1305Cipher(ReadOnlySpan<byte> key)
        : this(key, System.Security.Cryptography.ChaCha20Poly1305.IsSupported)
    {
    }

    /// <param name="usePlatformKeyStream">False forces the portable scalar body path (tests use it).</param>
    internal ChaCha20Poly1305Cipher(ReadOnlySpan<byte> key, bool usePlatformKeyStream)
    {
        if (key.Length != 64) throw new ArgumentException("chacha20-poly1305 needs 64 bytes of key.", nameof(key));
        _bulk = usePlatformKeyStream ? new System.Security.Cryptography.ChaCha20Poly1305(key[..32]) : null;
        ChaCha20Block.LoadKey(key[..32], _bodyKey);
        ChaCha20Block.LoadKey(key[32..], _lengthKey);
    }

    public int BlockSize => 8;

    public int TagLength => TagSize;

    public bool LengthIsAligned => false;

    public uint DecryptLength(uint sequenceNumber, ReadOnlySpan<byte> firstFourBytes)
    {
        PacketGuard.RequireLengthBytes(firstFourBytes);
        Span<byte> nonce = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(nonce, sequenceNumber);
        Span<byte> block = stackalloc byte[64];
        ChaCha20Block.Compute(_lengthKey, 0, nonce, block);
        var length = BinaryPrimitives.ReadUInt32BigEndian(firstFourBytes) ^ BinaryPrimitives.ReadUInt32BigEndian(block);
        CryptographicOperations.ZeroMemory(block);
        return length;
    }

    public bool Open(uint sequenceNumber, Span<byte> packet)
    {
        if (packet.Length < 4 + 8 + TagSize || (packet.Length - 4 - TagSize) % 8 != 0) return false;
        if (DecryptLength(sequenceNumber, packet) != (uint)(packet.Length - 4 - TagSize)) return false;

        Span<byte> nonce = stackalloc byte[12];
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], sequenceNumber);
        Span<byte> block = stackalloc byte[64];
        Span<byte> expected = stackalloc byte[TagSize];
        ChaCha20Block.Compute(_bodyKey, 0, nonce[4..], block);
        Poly1305.Compute(block[..Poly1305.KeySize], packet[..^TagSize], expected);
        var authentic = CryptographicOperations.FixedTimeEquals(expected, packet[^TagSize..]);
        if (authentic)
        {
            ChaCha20Block.Compute(_lengthKey, 0, nonce[4..], block);
            for (var i = 0; i < 4; i++) packet[i] ^= block[i];
            XorBody(nonce, packet[4..^TagSize], expected);
        }
        CryptographicOperations.ZeroMemory(block);
        return authentic;
    }

    public void Seal(uint sequenceNumber, Span<byte> packet)
    {
        PacketGuard.RequireSealable(packet, TagSize);
        Span<byte> nonce = stackalloc byte[12];
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], sequenceNumber);
        Span<byte> block = stackalloc byte[64];
        var tag = packet[^TagSize..];

        ChaCha20Block.Compute(_lengthKey, 0, nonce[4..], block);
        for (var i = 0; i < 4; i++) packet[i] ^= block[i];
        // Any scratch tag lands in the tag slot and is overwritten below.
        XorBody(nonce, packet[4..^TagSize], tag);
        ChaCha20Block.Compute(_bodyKey, 0, nonce[4..], block);
        Poly1305.Compute(block[..Poly1305.KeySize], packet[..^TagSize], tag);
        CryptographicOperations.ZeroMemory(block);
    }

    /// <summary>XORs the K_2 key stream from block 1 into the body.</summary>
    /// <param name="nonce">0⁴ ‖ seq_be64.</param>
    /// <param name="scratchTag">16 bytes the platform AEAD may write its (unused) tag to.</param>
    private void XorBody(ReadOnlySpan<byte> nonce, Span<byte> body, Span<byte> scratchTag)
    {
        if (_bulk is not null)
        {
            _bulk.Encrypt(nonce, body, body, scratchTag);
            return;
        }
        Span<byte> block = stackalloc byte[64];
        ulong counter = 1;
        for (var offset = 0; offset < body.Length; offset += 64)
        {
            ChaCha20Block.Compute(_bodyKey, counter++, nonce[4..], block);
            var n = Math.Min(64, body.Length - offset);
            XorHelper.Xor(body.Slice(offset, n), block);
        }
        CryptographicOperations.ZeroMemory(block);
    }

    public void Dispose()
    {
        _bulk?.Dispose();
        Array.Clear(_lengthKey);
        Array.Clear(_bodyKey);
    }
}
