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

/// <summary>One queued message: a pooled copy of the payload plus what the writer must do around it.</summary>
internal readonly struct OutboundItem
{
    public OutboundItem(byte[] buffer, int length, OutboundKind kind = OutboundKind.Message, object? state = null, bool pooled = true)
    {
        Buffer = buffer;
        Length = length;
        Kind = kind;
        State = state;
        Pooled = pooled;
    }

    public byte[] Buffer { get; }
    public int Length { get; }
    public OutboundKind Kind { get; }
    public object? State { get; }
    public bool Pooled { get; }

    public ReadOnlySpan<byte> Payload => Buffer.AsSpan(0, Length);

    public static OutboundItem CopyOf(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body) => CopyOf(head, body, OutboundKind.Message);

    public static OutboundItem CopyOf(ReadOnlySpan<byte> payload, OutboundKind kind = OutboundKind.Message) => CopyOf(payload, default, kind);

    private static OutboundItem CopyOf(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, OutboundKind kind)
    {
        var length = head.Length + body.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        head.CopyTo(buffer);
        body.CopyTo(buffer.AsSpan(head.Length));
        return new OutboundItem(buffer, length, kind);
    }

    /// <summary>Clears the plaintext and gives the buffer back to the pool.</summary>
    public void Release()
    {
        if (!Pooled) return;
        Buffer.AsSpan(0, Length).Clear();
        ArrayPool<byte>.Shared.Return(Buffer);
    }
}
