using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Gateway.Ssh.Crypto;

/// <summary>
/// The original (DJB) ChaCha20 block function with a 64-bit counter and a 64-bit nonce, as
/// chacha20-poly1305@openssh.com uses it. Only ever asked for block 0 (the length key stream and
/// the Poly1305 key), so a plain scalar version without allocation is enough; bulk key stream
/// comes from the platform AEAD.
/// </summary>
internal static class ChaCha20Block
{
    /// <summary>Writes the 64-byte block for (key, counter, nonce) into <paramref name="output"/>.</summary>
    /// <param name="key">32-byte key.</param>
    /// <param name="nonce">The 8 nonce bytes as they appear on the wire (OpenSSH: the big-endian sequence number).</param>
    public static void Compute(ReadOnlySpan<uint> key, ulong counter, ReadOnlySpan<byte> nonce, Span<byte> output)
    {
        uint x0 = 0x61707865, x1 = 0x3320646e, x2 = 0x79622d32, x3 = 0x6b206574;
        uint x4 = key[0], x5 = key[1], x6 = key[2], x7 = key[3];
        uint x8 = key[4], x9 = key[5], x10 = key[6], x11 = key[7];
        uint x12 = (uint)counter, x13 = (uint)(counter >> 32);
        uint x14 = BinaryPrimitives.ReadUInt32LittleEndian(nonce);
        uint x15 = BinaryPrimitives.ReadUInt32LittleEndian(nonce[4..]);
        uint j12 = x12, j13 = x13, j14 = x14, j15 = x15;

        for (var i = 0; i < 10; i++)
        {
            QuarterRound(ref x0, ref x4, ref x8, ref x12);
            QuarterRound(ref x1, ref x5, ref x9, ref x13);
            QuarterRound(ref x2, ref x6, ref x10, ref x14);
            QuarterRound(ref x3, ref x7, ref x11, ref x15);
            QuarterRound(ref x0, ref x5, ref x10, ref x15);
            QuarterRound(ref x1, ref x6, ref x11, ref x12);
            QuarterRound(ref x2, ref x7, ref x8, ref x13);
            QuarterRound(ref x3, ref x4, ref x9, ref x14);
        }

        Write(output, 0, x0 + 0x61707865);
        Write(output, 1, x1 + 0x3320646e);
        Write(output, 2, x2 + 0x79622d32);
        Write(output, 3, x3 + 0x6b206574);
        Write(output, 4, x4 + key[0]);
        Write(output, 5, x5 + key[1]);
        Write(output, 6, x6 + key[2]);
        Write(output, 7, x7 + key[3]);
        Write(output, 8, x8 + key[4]);
        Write(output, 9, x9 + key[5]);
        Write(output, 10, x10 + key[6]);
        Write(output, 11, x11 + key[7]);
        Write(output, 12, x12 + j12);
        Write(output, 13, x13 + j13);
        Write(output, 14, x14 + j14);
        Write(output, 15, x15 + j15);
    }

    /// <summary>Loads a 32-byte key as the eight little-endian words of the ChaCha state.</summary>
    public static void LoadKey(ReadOnlySpan<byte> key, Span<uint> words)
    {
        for (var i = 0; i < 8; i++)
            words[i] = BinaryPrimitives.ReadUInt32LittleEndian(key[(4 * i)..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write(Span<byte> output, int word, uint value) =>
        BinaryPrimitives.WriteUInt32LittleEndian(output[(4 * word)..], value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuarterRound(ref uint a, ref uint b, ref uint c, ref uint d)
    {
        a += b; d = BitOperations.RotateLeft(d ^ a, 16);
        c += d; b = BitOperations.RotateLeft(b ^ c, 12);
        a += b; d = BitOperations.RotateLeft(d ^ a, 8);
        c += d; b = BitOperations.RotateLeft(b ^ c, 7);
    }
}
