using System.Buffers.Binary;
using System.Text;

namespace Gateway.Ssh.Wire;

/// <summary>
/// Reads SSH wire types (RFC 4251 §5) from a span. Every read is bounds-checked and a short or
/// malformed buffer raises <see cref="SshProtocolException"/>, so parsers never index past the end.
/// </summary>
public ref struct SshReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public SshReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _buffer.Length - _position;
    public readonly bool IsEmpty => _position >= _buffer.Length;

    public byte ReadByte()
    {
        Ensure(1);
        return _buffer[_position++];
    }

    public bool ReadBoolean() => ReadByte() != 0;

    public uint ReadUInt32()
    {
        Ensure(4);
        var value = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_position));
        _position += 4;
        return value;
    }

    public ulong ReadUInt64()
    {
        Ensure(8);
        var value = BinaryPrimitives.ReadUInt64BigEndian(_buffer.Slice(_position));
        _position += 8;
        return value;
    }

    /// <summary>Reads an SSH <c>string</c> (uint32 length + bytes) and returns a view of its bytes.</summary>
    public ReadOnlySpan<byte> ReadBinary()
    {
        var length = ReadUInt32();
        if (length > (uint)Remaining)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"string of {length} bytes exceeds the {Remaining} bytes left in the message");
        var value = _buffer.Slice(_position, (int)length);
        _position += (int)length;
        return value;
    }

    /// <summary>Reads an SSH <c>string</c> as UTF-8 text. Invalid UTF-8 is a protocol error.</summary>
    public string ReadString()
    {
        var bytes = ReadBinary();
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new SshProtocolException(DisconnectReason.ProtocolError, "string is not valid UTF-8");
        }
    }

    /// <summary>Reads a <c>name-list</c>: a comma-separated ASCII string.</summary>
    public string[] ReadNameList()
    {
        var text = ReadString();
        return text.Length == 0 ? [] : text.Split(',');
    }

    /// <summary>
    /// Reads an <c>mpint</c> and returns its magnitude as unsigned big-endian bytes without
    /// leading zeros. Negative values are refused: SSH never needs them.
    /// </summary>
    public ReadOnlySpan<byte> ReadMPIntUnsigned()
    {
        var raw = ReadBinary();
        if (raw.Length > 0 && (raw[0] & 0x80) != 0)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "negative mpint");
        var i = 0;
        while (i < raw.Length && raw[i] == 0) i++;
        return raw.Slice(i);
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        Ensure(count);
        var value = _buffer.Slice(_position, count);
        _position += count;
        return value;
    }

    public ReadOnlySpan<byte> ReadRemaining()
    {
        var value = _buffer.Slice(_position);
        _position = _buffer.Length;
        return value;
    }

    /// <summary>Fails when unread bytes remain; used where a message must be consumed exactly.</summary>
    public readonly void EnsureEnd()
    {
        if (_position != _buffer.Length)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"{Remaining} unexpected trailing bytes in message");
    }

    private readonly void Ensure(int count)
    {
        if (count > Remaining)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "message is truncated");
    }

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
