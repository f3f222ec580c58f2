using System.Buffers;

namespace Gateway.Ssh.Wire;

/// <summary>Convenience for building a whole message into a fresh array, for rare (non-data) messages.</summary>
public static class SshMessageBuilder
{
    public static byte[] Build(byte messageNumber, Action<SshWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new SshWriter(buffer);
        writer.WriteByte(messageNumber);
        body(writer);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Build(Action<SshWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        body(new SshWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }
}
