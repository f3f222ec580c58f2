using System.Buffers;
using System.Security.Cryptography;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Kex;

/// <summary>Encodes K as it enters the exchange hash and the key derivation.</summary>
internal static class SharedSecretEncoding
{
    /// <summary>K as an SSH mpint (uint32 length ‖ minimal two's complement of a positive value).</summary>
    public static byte[] AsMPInt(ReadOnlySpan<byte> unsignedBigEndian)
    {
        var buffer = new ArrayBufferWriter<byte>(unsignedBigEndian.Length + 5);
        new SshWriter(buffer).WriteMPInt(unsignedBigEndian);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <see cref="AsMPInt"/> of a raw agreement output that nothing else needs, which is then cleared:
    /// only the encoded K outlives the exchange.
    /// </summary>
    public static byte[] AsMPIntClearing(byte[] rawSecret)
    {
        try
        {
            return AsMPInt(rawSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rawSecret);
        }
    }

    /// <summary>K as an SSH string (uint32 length ‖ bytes), used by the ML-KEM hybrid.</summary>
    public static byte[] AsString(ReadOnlySpan<byte> value)
    {
        var buffer = new ArrayBufferWriter<byte>(value.Length + 4);
        new SshWriter(buffer).WriteBinary(value);
        return buffer.WrittenSpan.ToArray();
    }
}
