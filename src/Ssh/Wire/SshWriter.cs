using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Gateway.Ssh.Wire;

/// <summary>
/// Writes SSH wire types (RFC 4251 §5) into an <see cref="IBufferWriter{T}"/>. A struct so that
/// message encoders do not allocate beyond the buffer they write into.
/// </summary>
public readonly struct SshWriter
{
    private readonly IBufferWriter<byte> _output;

    public SshWriter(IBufferWriter<byte> output) => _output = output;

    public void WriteByte(byte value)
    {
        var span = _output.GetSpan(1);
        span[0] = value;
        _output.Advance(1);
    }

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteUInt32(uint value)
    {
        var span = _output.GetSpan(4);
        BinaryPrimitives.WriteUInt32BigEndian(span, value);
        _output.Advance(4);
    }

    public void WriteUInt64(ulong value)
    {
        var span = _output.GetSpan(8);
        BinaryPrimitives.WriteUInt64BigEndian(span, value);
        _output.Advance(8);
    }

    /// <summary>Writes raw bytes with no length prefix.</summary>
    public void WriteRaw(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty) return;
        var span = _output.GetSpan(value.Length);
        value.CopyTo(span);
        _output.Advance(value.Length);
    }

    /// <summary>Writes an SSH <c>string</c> holding bytes.</summary>
    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteUInt32((uint)value.Length);
        WriteRaw(value);
    }

    /// <summary>Writes an SSH <c>string</c> holding UTF-8 text.</summary>
    public void WriteString(string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteUInt32((uint)byteCount);
        if (byteCount == 0) return;
        var span = _output.GetSpan(byteCount);
        Encoding.UTF8.GetBytes(value, span);
        _output.Advance(byteCount);
    }

    public void WriteNameList(IEnumerable<string> names) => WriteString(string.Join(',', names));

    /// <summary>
    /// Writes an unsigned big-endian magnitude as an <c>mpint</c>: leading zeros stripped and a
    /// zero byte prepended when the top bit is set, so the value stays positive.
    /// </summary>
    public void WriteMPInt(ReadOnlySpan<byte> unsignedBigEndian)
    {
        var i = 0;
        while (i < unsignedBigEndian.Length && unsignedBigEndian[i] == 0) i++;
        var magnitude = unsignedBigEndian.Slice(i);
        if (magnitude.IsEmpty)
        {
            WriteUInt32(0);
            return;
        }
        var pad = (magnitude[0] & 0x80) != 0;
        WriteUInt32((uint)(magnitude.Length + (pad ? 1 : 0)));
        if (pad) WriteByte(0);
        WriteRaw(magnitude);
    }
}
