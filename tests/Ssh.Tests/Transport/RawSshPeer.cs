using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Gateway.Ssh.Transport;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Transport;

/// <summary>
/// A hand-driven peer speaking unencrypted SSH packets, for sending what a correct
/// implementation never would.
/// </summary>
internal sealed class RawSshPeer(NetworkStream stream)
{
    public NetworkStream Stream { get; } = stream;

    /// <summary>Writes bytes; a server that already hung up (broken pipe) is not an error here, its outcome is what tests check.</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        try
        {
            await Stream.WriteAsync(bytes);
        }
        catch (IOException)
        {
        }
    }

    public Task SendLineAsync(string line) => SendRawAsync(Encoding.ASCII.GetBytes(line + "\r\n"));

    public Task SendPacketAsync(byte[] payload) => SendRawAsync(PlainPacket(payload));

    /// <summary>Frames a payload as the "none" cipher does (RFC 4253 §6, block size 8).</summary>
    public static byte[] PlainPacket(byte[] payload, int? paddingOverride = null)
    {
        var padding = 8 - (5 + payload.Length) % 8;
        if (padding < 4) padding += 8;
        if (5 + payload.Length + padding < 16) padding += 8;
        var packet = new byte[5 + payload.Length + padding];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(1 + payload.Length + padding));
        packet[4] = (byte)(paddingOverride ?? padding);
        payload.CopyTo(packet, 5);
        RandomNumberGenerator.Fill(packet.AsSpan(5 + payload.Length));
        return packet;
    }

    public static byte[] ClientKexInit(bool strict = true, string kex = "curve25519-sha256", bool firstKexPacketFollows = false) => new KexInitMessage
    {
        Kex = strict ? [kex, "ext-info-c", KexInitMessage.StrictKexClient] : [kex, "ext-info-c"],
        HostKey = ["ssh-ed25519"],
        CiphersCtoS = ["aes128-gcm@openssh.com"],
        CiphersStoC = ["aes128-gcm@openssh.com"],
        MacsCtoS = ["hmac-sha2-256-etm@openssh.com"],
        MacsStoC = ["hmac-sha2-256-etm@openssh.com"],
        CompressionCtoS = ["none"],
        CompressionStoC = ["none"],
        FirstKexPacketFollows = firstKexPacketFollows,
    }.Build();

    public async Task<string> ReadLineAsync()
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 300)
        {
            if (await Stream.ReadAsync(one) == 0) throw new EndOfStreamException();
            if (one[0] == '\n') break;
            bytes.Add(one[0]);
        }
        return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
    }

    /// <summary>Reads one unencrypted packet and returns its payload, or null at EOF.</summary>
    public async Task<byte[]?> ReadPacketAsync()
    {
        var header = new byte[4];
        if (!await ReadExactlyOrEofAsync(header)) return null;
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > 1_000_000) throw new InvalidDataException("implausible packet length " + length);
        var body = new byte[length];
        if (!await ReadExactlyOrEofAsync(body)) return null;
        return body.AsSpan(1, (int)length - 1 - body[0]).ToArray();
    }

    /// <summary>Reads packets until the peer's DISCONNECT (returned) or EOF (null).</summary>
    public async Task<(DisconnectReason Reason, string Description)?> ReadUntilDisconnectAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            var payload = await ReadPacketAsync();
            if (payload is null) return null;
            if (payload[0] == SshMessageNumber.Disconnect)
            {
                var reader = new SshReader(payload.AsSpan(1));
                return ((DisconnectReason)reader.ReadUInt32(), reader.ReadString());
            }
        }
        return null;
    }

    private async Task<bool> ReadExactlyOrEofAsync(byte[] buffer)
    {
        try
        {
            await Stream.ReadExactlyAsync(buffer);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
