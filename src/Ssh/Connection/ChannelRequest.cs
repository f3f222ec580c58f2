using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Connection;

/// <summary>
/// A CHANNEL_REQUEST's type-specific part (RFC 4254 §6), parsed into a typed record. Each record
/// can also write itself, which is how the client role sends them.
/// </summary>
public abstract record ChannelRequest(string Type)
{
    /// <summary>Writes the fields after "want reply".</summary>
    public abstract void WriteTo(SshWriter writer);

    public byte[] Encode() => SshMessageBuilder.Build(WriteTo);

    /// <summary>Parses the fields after "want reply"; malformed input is an <see cref="SshProtocolException"/>.</summary>
    public static ChannelRequest Parse(string type, ReadOnlySpan<byte> data)
    {
        var r = new SshReader(data);
        ChannelRequest request;
        switch (type)
        {
            case PtyRequest.Name:
                request = new PtyRequest(r.ReadString(), r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(), r.ReadBinary().ToArray());
                break;
            case ShellRequest.Name:
                request = new ShellRequest();
                break;
            case ExecRequest.Name:
                request = new ExecRequest(r.ReadString());
                break;
            case EnvRequest.Name:
                request = new EnvRequest(r.ReadString(), r.ReadString());
                break;
            case WindowChangeRequest.Name:
                request = new WindowChangeRequest(r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32());
                break;
            case SignalRequest.Name:
                request = new SignalRequest(r.ReadString());
                break;
            case SubsystemRequest.Name:
                request = new SubsystemRequest(r.ReadString());
                break;
            case ExitStatusRequest.Name:
                request = new ExitStatusRequest(r.ReadUInt32());
                break;
            case ExitSignalRequest.Name:
                request = new ExitSignalRequest(r.ReadString(), r.ReadBoolean(), r.ReadString(), r.ReadString());
                break;
            default:
                return new UnknownChannelRequest(type, r.ReadRemaining().ToArray());
        }
        r.EnsureEnd();
        return request;
    }
}

/// <summary>"pty-req": terminal modes are kept encoded (RFC 4254 §8).</summary>
public sealed record PtyRequest(string Term, uint Columns, uint Rows, uint WidthPixels, uint HeightPixels, byte[] Modes) : ChannelRequest(Name)
{
    public const string Name = "pty-req";

    public override void WriteTo(SshWriter w)
    {
        w.WriteString(Term); w.WriteUInt32(Columns); w.WriteUInt32(Rows); w.WriteUInt32(WidthPixels); w.WriteUInt32(HeightPixels); w.WriteBinary(Modes);
    }

    /// <summary>
    /// Decodes the terminal modes (RFC 4254 §8: opcode byte + uint32, ended by 0). Opcodes from
    /// 160 have unknown argument sizes, so decoding stops there, as the RFC says; it never throws.
    /// </summary>
    public IReadOnlyDictionary<byte, uint> DecodeModes()
    {
        var modes = new Dictionary<byte, uint>();
        var span = Modes.AsSpan();
        while (span.Length >= 5 && span[0] is > 0 and < 160)
        {
            modes[span[0]] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(span[1..]);
            span = span[5..];
        }
        return modes;
    }
}

public sealed record ShellRequest() : ChannelRequest(Name)
{
    public const string Name = "shell";
    public override void WriteTo(SshWriter w) { }
}

public sealed record ExecRequest(string Command) : ChannelRequest(Name)
{
    public const string Name = "exec";
    public override void WriteTo(SshWriter w) => w.WriteString(Command);
}

public sealed record EnvRequest(string VariableName, string Value) : ChannelRequest(Name)
{
    public const string Name = "env";
    public override void WriteTo(SshWriter w) { w.WriteString(VariableName); w.WriteString(Value); }
}

public sealed record WindowChangeRequest(uint Columns, uint Rows, uint WidthPixels, uint HeightPixels) : ChannelRequest(Name)
{
    public const string Name = "window-change";
    public override void WriteTo(SshWriter w) { w.WriteUInt32(Columns); w.WriteUInt32(Rows); w.WriteUInt32(WidthPixels); w.WriteUInt32(HeightPixels); }
}

/// <summary>"signal": the name without the "SIG" prefix, e.g. "INT".</summary>
public sealed record SignalRequest(string Signal) : ChannelRequest(Name)
{
    public const string Name = "signal";
    public override void WriteTo(SshWriter w) => w.WriteString(Signal);
}

public sealed record SubsystemRequest(string Subsystem) : ChannelRequest(Name)
{
    public const string Name = "subsystem";
    public override void WriteTo(SshWriter w) => w.WriteString(Subsystem);
}

public sealed record ExitStatusRequest(uint ExitStatus) : ChannelRequest(Name)
{
    public const string Name = "exit-status";
    public override void WriteTo(SshWriter w) => w.WriteUInt32(ExitStatus);
}

public sealed record ExitSignalRequest(string Signal, bool CoreDumped, string ErrorMessage, string Language) : ChannelRequest(Name)
{
    public const string Name = "exit-signal";
    public override void WriteTo(SshWriter w) { w.WriteString(Signal); w.WriteBoolean(CoreDumped); w.WriteString(ErrorMessage); w.WriteString(Language); }
}

/// <summary>Any other request, with its raw type-specific data.</summary>
public sealed record UnknownChannelRequest(string RequestType, byte[] Data) : ChannelRequest(RequestType)
{
    public override void WriteTo(SshWriter w) => w.WriteRaw(Data);
}
