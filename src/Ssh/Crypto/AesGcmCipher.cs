using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gateway.Ssh.Crypto;

/// <summary>
/// aes128-gcm@openssh.com / aes256-gcm@openssh.com (RFC 5647 as used by OpenSSH): the length
/// stays plaintext and is the AAD; the 12-byte nonce is a 4-byte fixed field followed by a
/// 64-bit invocation counter that advances after every packet, sealed or opened.
/// </summary>
internal sealed class AesGcmCipher : IPacketCipher
{
    private const int TagSize = 16;

    private readonly AesGcm _aes;
    private readonly uint _fixed;
    private ulong _invocation;

    public AesGcmCipher(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        if (key.Length is not (16 or 32)) throw new ArgumentException("AES-GCM key must be 16 or 32 bytes.", nameof(key));
        if (iv.Length != 12) throw new ArgumentException("AES-GCM IV must be 12 bytes.", nameof(iv));
        _aes = new AesGcm(key, TagSize);
        _fixed = BinaryPrimitives.ReadUInt32BigEndian(iv);
        _invocation = BinaryPrimitives.ReadUInt64BigEndian(iv[4..]);
    }

    public int BlockSize => 16;

    public int TagLength => TagSize;

    public bool LengthIsAligned => false;

    public uint DecryptLength(uint sequenceNumber, ReadOnlySpan<byte> firstFourBytes)
    {
        PacketGuard.RequireLengthBytes(firstFourBytes);
        return BinaryPrimitives.ReadUInt32BigEndian(firstFourBytes);
    }

    public bool Open(uint sequenceNumber, Span<byte> packet)
    {
        Span<byte> nonce = stackalloc byte[12];
        NextNonce(nonce);
        if (!PacketGuard.HasConsistentLength(packet, TagSize)) return false;
        var body = packet[4..^TagSize];
        if (body.Length % 16 != 0) return false;
        try
        {
            _aes.Decrypt(nonce, body, packet[^TagSize..], body, packet[..4]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    public void Seal(uint sequenceNumber, Span<byte> packet)
    {
        PacketGuard.RequireSealable(packet, TagSize);
        Span<byte> nonce = stackalloc byte[12];
        NextNonce(nonce);
        var body = packet[4..^TagSize];
        _aes.Encrypt(nonce, body, body, packet[^TagSize..], packet[..4]);
    }

    private void NextNonce(Span<byte> nonce)
    {
        BinaryPrimitives.WriteUInt32BigEndian(nonce, _fixed);
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], _invocation);
        _invocation++;
    }

    public void Dispose() => _aes.Dispose();
}
