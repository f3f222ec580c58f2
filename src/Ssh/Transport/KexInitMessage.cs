using System.Buffers;
using System.Security.Cryptography;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Transport;

/// <summary>SSH_MSG_KEXINIT (RFC 4253 §7.1): the ten name-lists and the guess flag.</summary>
internal sealed class KexInitMessage
{
    public const string StrictKexClient = "kex-strict-c-v00@openssh.com";
    public const string StrictKexServer = "kex-strict-s-v00@openssh.com";
    public const string ExtInfoClient = "ext-info-c";
    public const string ExtInfoServer = "ext-info-s";

    public required string[] Kex { get; init; }
    public required string[] HostKey { get; init; }
    public required string[] CiphersCtoS { get; init; }
    public required string[] CiphersStoC { get; init; }
    public required string[] MacsCtoS { get; init; }
    public required string[] MacsStoC { get; init; }
    public required string[] CompressionCtoS { get; init; }
    public required string[] CompressionStoC { get; init; }
    public string[] LanguagesCtoS { get; init; } = [];
    public string[] LanguagesStoC { get; init; } = [];
    public bool FirstKexPacketFollows { get; init; }

    /// <summary>Names that signal features rather than name an algorithm; never negotiated as a kex.</summary>
    public static bool IsPseudoKexName(string name) =>
        name is StrictKexClient or StrictKexServer or ExtInfoClient or ExtInfoServer;

    public static KexInitMessage Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new SshReader(payload);
        if (reader.ReadByte() != SshMessageNumber.KexInit)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "not a KEXINIT message");
        reader.ReadBytes(16);
        var message = new KexInitMessage
        {
            Kex = reader.ReadNameList(),
            HostKey = reader.ReadNameList(),
            CiphersCtoS = reader.ReadNameList(),
            CiphersStoC = reader.ReadNameList(),
            MacsCtoS = reader.ReadNameList(),
            MacsStoC = reader.ReadNameList(),
            CompressionCtoS = reader.ReadNameList(),
            CompressionStoC = reader.ReadNameList(),
            LanguagesCtoS = reader.ReadNameList(),
            LanguagesStoC = reader.ReadNameList(),
            FirstKexPacketFollows = reader.ReadBoolean(),
        };
        reader.ReadUInt32(); // reserved
        // Trailing bytes are tolerated, as OpenSSH does: they are part of I_C/I_S and so still authenticated.
        return message;
    }

    public byte[] Build()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        var writer = new SshWriter(buffer);
        writer.WriteByte(SshMessageNumber.KexInit);
        Span<byte> cookie = stackalloc byte[16];
        RandomNumberGenerator.Fill(cookie);
        writer.WriteRaw(cookie);
        writer.WriteNameList(Kex);
        writer.WriteNameList(HostKey);
        writer.WriteNameList(CiphersCtoS);
        writer.WriteNameList(CiphersStoC);
        writer.WriteNameList(MacsCtoS);
        writer.WriteNameList(MacsStoC);
        writer.WriteNameList(CompressionCtoS);
        writer.WriteNameList(CompressionStoC);
        writer.WriteNameList(LanguagesCtoS);
        writer.WriteNameList(LanguagesStoC);
        writer.WriteBoolean(FirstKexPacketFollows);
        writer.WriteUInt32(0);
        return buffer.WrittenSpan.ToArray();
    }
}
