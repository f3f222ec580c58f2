using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gateway.Ssh.Crypto;

/// <summary>
/// aes128-ctr / aes256-ctr with an encrypt-then-MAC HMAC (hmac-sha2-*-etm@openssh.com): the
/// length stays plaintext, the body is CTR-encrypted, and the MAC is
/// HMAC(key, uint32 seq ‖ length ‖ encrypted body), checked before anything is decrypted.
/// </summary>
internal sealed class AesCtrEtmCipher : IPacketCipher
{
    private const int MaxTag = 64;

    private readonly AesCtrKeyStream _keyStream;
    private readonly IncrementalHash _mac;
    private readonly int _tagLength;

    public AesCtrEtmCipher(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, HashAlgorithmName macHash, ReadOnlySpan<byte> macKey, int tagLength)
    {
        if (tagLength > MaxTag) throw new ArgumentOutOfRangeException(nameof(tagLength));
        _keyStream = new AesCtrKeyStream(key, iv);
        _mac = IncrementalHash.CreateHMAC(macHash, macKey);
        _tagLength = tagLength;
        if (_mac.HashLengthInBytes != tagLength) throw new ArgumentException("Tag length must equal the HMAC output size.", nameof(tagLength));
    }

    public int BlockSize => 16;

    public int TagLength => _tagLength;

    public bool LengthIsAligned => false;

    public uint DecryptLength(uint sequenceNumber, ReadOnlySpan<byte> firstFourBytes)
    {
        PacketGuard.RequireLengthBytes(firstFourBytes);
        return BinaryPrimitives.ReadUInt32BigEndian(firstFourBytes);
    }

    public bool Open(uint sequenceNumber, Span<byte> packet)
    {
        if (!PacketGuard.HasConsistentLength(packet, _tagLength)) return false;
        var body = packet[4..^_tagLength];
        if (body.Length % 16 != 0) return false;
        Span<byte> expected = stackalloc byte[MaxTag];
        expected = expected[.._tagLength];
        ComputeMac(sequenceNumber, packet[..^_tagLength], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, packet[^_tagLength..])) return false;
        _keyStream.Transform(body);
        return true;
    }

    public void Seal(uint sequenceNumber, Span<byte> packet)
    {
        PacketGuard.RequireSealable(packet, _tagLength);
        _keyStream.Transform(packet[4..^_tagLength]);
        ComputeMac(sequenceNumber, packet[..^_tagLength], packet[^_tagLength..]);
    }

    private void ComputeMac(uint sequenceNumber, ReadOnlySpan<byte> lengthAndBody, Span<byte> tag)
    {
        Span<byte> seq = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(seq, sequenceNumber);
        _mac.AppendData(seq);
        _mac.AppendData(lengthAndBody);
        _mac.GetHashAndReset(tag);
    }

    public void Dispose()
    {
        _keyStream.Dispose();
        _mac.Dispose();
    }
}
