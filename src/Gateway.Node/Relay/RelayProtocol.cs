using System.Buffers.Binary;
using System.Text;

namespace Gateway.Node.Relay;

/// <summary>
/// The relay's wire format before the bytes flow. The dialer writes <c>"GWR1"</c> and the
/// 32-character hex token (36 bytes). The owner answers one status byte (0 = open, 1 = refused,
/// 2 = the endpoint is gone: its SSH connection ended; the dialer tries another without counting
/// it as a failure; a node that predates it reads it as a malformed reply, a failure), a 2-byte big-endian length and that many bytes of UTF-8 reason. Then both directions carry
/// the tunnel's bytes unchanged until each side half-closes.
/// </summary>
public static class RelayProtocol
{
    public static ReadOnlySpan<byte> Magic => "GWR1"u8;
    public const int TokenLength = 32;
    public const int HeaderLength = 4 + TokenLength;
    public const int MaxReasonLength = 1024;
    public const byte Open = 0;
    public const byte Refused = 1;
    public const byte Gone = 2;

    /// <summary>Refused by the SSH client itself (it could not reach its service): counts for outlier detection on the dialing node.</summary>
    public const byte ClientRefused = 3;

    public static byte[] Header(string token)
    {
        if (token.Length != TokenLength || !token.All(char.IsAsciiHexDigitLower))
            throw new ArgumentException("a relay token is 32 lower-case hex characters", nameof(token));
        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        Encoding.ASCII.GetBytes(token, header.AsSpan(4));
        return header;
    }

    /// <summary>The token in a received header, or null when the header is not one of ours.</summary>
    public static string? ParseHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length != HeaderLength || !header[..4].SequenceEqual(Magic)) return null;
        var token = header[4..];
        foreach (var b in token)
            if (!char.IsAsciiHexDigitLower((char)b)) return null;
        return Encoding.ASCII.GetString(token);
    }

    public static byte[] Reply(byte status, string? reason)
    {
        var text = Encoding.UTF8.GetBytes(reason ?? "");
        if (text.Length > MaxReasonLength) text = text[..MaxReasonLength];
        var reply = new byte[3 + text.Length];
        reply[0] = status;
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(1), (ushort)text.Length);
        text.CopyTo(reply.AsSpan(3));
        return reply;
    }

    /// <summary>Reads the owner's reply; throws <see cref="IOException"/> on a short or malformed one.</summary>
    public static async Task<(byte Status, string Reason)> ReadReplyAsync(Stream stream, CancellationToken ct)
    {
        var head = new byte[3];
        await stream.ReadExactlyAsync(head, ct).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(1));
        if (head[0] > ClientRefused || length > MaxReasonLength) throw new IOException("malformed relay reply");
        var reason = new byte[length];
        await stream.ReadExactlyAsync(reason, ct).ConfigureAwait(false);
        return (head[0], Encoding.UTF8.GetString(reason));
    }
}
