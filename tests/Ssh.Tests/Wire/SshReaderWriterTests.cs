using System.Buffers;
using Gateway.Ssh;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Wire;

public class SshReaderWriterTests
{
    [Theory]
    [InlineData(new byte[] { }, new byte[] { 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x00, 0x00 }, new byte[] { 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7 }, new byte[] { 0, 0, 0, 8, 0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7 })]
    [InlineData(new byte[] { 0x80 }, new byte[] { 0, 0, 0, 2, 0x00, 0x80 })]
    public void MPInt_matches_RFC4251_examples(byte[] magnitude, byte[] expected)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new SshWriter(buffer).WriteMPInt(magnitude);
        Assert.Equal(expected, buffer.WrittenSpan.ToArray());

        var reader = new SshReader(buffer.WrittenSpan);
        var trimmed = magnitude.SkipWhile(b => b == 0).ToArray();
        Assert.Equal(trimmed, reader.ReadMPIntUnsigned().ToArray());
        reader.EnsureEnd();
    }

    [Fact]
    public void Round_trips_every_type()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new SshWriter(buffer);
        w.WriteByte(7); w.WriteBoolean(true); w.WriteUInt32(0xdeadbeef); w.WriteUInt64(ulong.MaxValue);
        w.WriteString("héllo"); w.WriteNameList(["a", "b,c".Split(',')[0]]); w.WriteBinary([1, 2, 3]);

        var r = new SshReader(buffer.WrittenSpan);
        Assert.Equal(7, r.ReadByte());
        Assert.True(r.ReadBoolean());
        Assert.Equal(0xdeadbeef, r.ReadUInt32());
        Assert.Equal(ulong.MaxValue, r.ReadUInt64());
        Assert.Equal("héllo", r.ReadString());
        Assert.Equal(["a", "b"], r.ReadNameList());
        Assert.Equal(new byte[] { 1, 2, 3 }, r.ReadBinary().ToArray());
        Assert.True(r.IsEmpty);
    }

    [Fact]
    public void Absurd_string_length_is_a_protocol_error_not_an_overrun()
    {
        byte[] data = [0xff, 0xff, 0xff, 0xf0, 1, 2, 3];
        var ex = Assert.Throws<SshProtocolException>(() => { var r = new SshReader(data); r.ReadBinary(); });
        Assert.Equal(DisconnectReason.ProtocolError, ex.Reason);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        byte[] data = [0, 0, 0, 2, 0xc3, 0x28];
        Assert.Throws<SshProtocolException>(() => { var r = new SshReader(data); r.ReadString(); });
    }
}
