using System.Buffers;
using Gateway.Ssh.Crypto;

namespace Gateway.Ssh.Transport;

internal enum OutboundKind : byte
{
    /// <summary>From SendAsync: holds one slot of the bounded send capacity.</summary>
    Message,
    /// <summary>From Post: counted against the Post limits instead.</summary>
    Posted,
    /// <summary>Our KEXINIT: from here until our NEWKEYS only transport messages may be sent (RFC 4253 §7.1).</summary>
    KexInit,
    /// <summary>Our NEWKEYS: the packets after it use <see cref="NewKeysState"/>.</summary>
    NewKeys,
    /// <summary>DISCONNECT: the last packet; the writer stops after it.</summary>
    Disconnect,
}

/// <summary>What the NEWKEYS packet switches the sending direction to.</summary>
internal sealed record NewKeysState(IPacketCipher Cipher, long RekeyBytes, bool ResetSequence, byte[]? FollowUp);

/// <summary>
/// One queued message in a pooled buffer laid out as the packet it becomes: room for
/// packet_length and padding_length in front of the payload and for padding and tag behind
/// it, so the writer seals it in place.
/// </summary>
internal readonly struct OutboundItem
{
    /// <summary>uint32 packet_length + byte padding_length.</summary>
    public const int HeaderRoom = 5;

    /// <summary>Padding (at most 2 blocks + 3 with the 16-byte minimum) plus the largest tag (HMAC-SHA-512).</summary>
    public const int TailRoom = 48 + 64;

    private OutboundItem(byte[] buffer, int length, OutboundKind kind, object? state)
    {
        Buffer = buffer;
        Length = length;
        Kind = kind;
        State = state;
    }

    public byte[] Buffer { get; }

    /// <summary>Payload length; the payload starts at <see cref="HeaderRoom"/>.</summary>
    public int Length { get; }
    public OutboundKind Kind { get; }
    public object? State { get; }

    public Span<byte> Payload => Buffer.AsSpan(HeaderRoom, Length);

    public static OutboundItem Create(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, OutboundKind kind = OutboundKind.Message, object? state = null)
    {
        var length = head.Length + body.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(HeaderRoom + length + TailRoom);
        head.CopyTo(buffer.AsSpan(HeaderRoom));
        body.CopyTo(buffer.AsSpan(HeaderRoom + head.Length));
        return new OutboundItem(buffer, length, kind, state);
    }

    public static OutboundItem Create(ReadOnlySpan<byte> payload, OutboundKind kind = OutboundKind.Message, object? state = null) =>
        Create(payload, default, kind, state);

    /// <summary>Gives the buffer back to the pool; <paramref name="clear"/> when it may still hold plaintext (never sealed).</summary>
    public void Release(bool clear = true)
    {
        if (clear) Buffer.AsSpan(0, Math.Min(Buffer.Length, HeaderRoom + Length + TailRoom)).Clear();
        ArrayPool<byte>.Shared.Return(Buffer);
    }
}
