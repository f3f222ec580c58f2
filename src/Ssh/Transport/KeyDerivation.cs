using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gateway.Ssh.Transport;

/// <summary>Exchange hash and key derivation of RFC 4253 §7.2 / §8.</summary>
internal static class KeyDerivation
{
    /// <summary>
    /// H = HASH(string V_C ‖ string V_S ‖ string I_C ‖ string I_S ‖ string K_S ‖ string Q_C ‖ string Q_S ‖ K),
    /// with K already encoded by the key exchange (mpint or string).
    /// </summary>
    public static byte[] ExchangeHash(
        HashAlgorithmName hash, string clientVersion, string serverVersion,
        ReadOnlySpan<byte> clientKexInit, ReadOnlySpan<byte> serverKexInit, ReadOnlySpan<byte> hostKeyBlob,
        ReadOnlySpan<byte> clientValue, ReadOnlySpan<byte> serverValue, ReadOnlySpan<byte> encodedSecret)
    {
        using var h = IncrementalHash.CreateHash(hash);
        AppendString(h, System.Text.Encoding.Latin1.GetBytes(clientVersion));
        AppendString(h, System.Text.Encoding.Latin1.GetBytes(serverVersion));
        AppendString(h, clientKexInit);
        AppendString(h, serverKexInit);
        AppendString(h, hostKeyBlob);
        AppendString(h, clientValue);
        AppendString(h, serverValue);
        h.AppendData(encodedSecret);
        return h.GetHashAndReset();
    }

    /// <summary>
    /// K1 = HASH(K ‖ H ‖ letter ‖ session_id), K(n+1) = HASH(K ‖ H ‖ K1 ‖ … ‖ Kn), concatenated and
    /// cut to <paramref name="length"/>.
    /// </summary>
    public static byte[] Derive(HashAlgorithmName hash, ReadOnlySpan<byte> encodedSecret, ReadOnlySpan<byte> exchangeHash,
        char letter, ReadOnlySpan<byte> sessionId, int length)
    {
        var result = new byte[length];
        if (length == 0) return result;
        using var h = IncrementalHash.CreateHash(hash);
        h.AppendData(encodedSecret);
        h.AppendData(exchangeHash);
        h.AppendData([(byte)letter]);
        h.AppendData(sessionId);
        var block = h.GetHashAndReset();
        var produced = Math.Min(block.Length, length);
        block.AsSpan(0, produced).CopyTo(result);
        while (produced < length)
        {
            h.AppendData(encodedSecret);
            h.AppendData(exchangeHash);
            h.AppendData(result.AsSpan(0, produced));
            block = h.GetHashAndReset();
            var take = Math.Min(block.Length, length - produced);
            block.AsSpan(0, take).CopyTo(result.AsSpan(produced));
            produced += take;
        }
        return result;
    }

    private static void AppendString(IncrementalHash h, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
        h.AppendData(length);
        h.AppendData(value);
    }
}
