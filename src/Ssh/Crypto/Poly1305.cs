using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Gateway.Ssh.Crypto;

/// <summary>
/// One-shot Poly1305 (RFC 8439 §2.5) with the accumulator in three 44/44/42-bit limbs, so each
/// block costs nine 64×64→128 multiplications. Written here because the construction needs a
/// fresh one-time key per packet and BouncyCastle's Poly1305 allocates a key object for each.
/// Verified against BouncyCastle and the RFC vectors in the tests.
/// </summary>
internal static class Poly1305
{
    public const int KeySize = 32;
    public const int TagSize = 16;

    private const ulong Mask44 = 0xfffffffffff;
    private const ulong Mask42 = 0x3ffffffffff;

    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> tag)
    {
        var t0 = BinaryPrimitives.ReadUInt64LittleEndian(key);
        var t1 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);

        // r is clamped as the RFC requires; s = r * 5 * 4 folds the reduction mod 2^130 - 5 in.
        var r0 = t0 & 0xffc0fffffff;
        var r1 = ((t0 >> 44) | (t1 << 20)) & 0xfffffc0ffff;
        var r2 = (t1 >> 24) & 0x00ffffffc0f;
        var s1 = r1 * (5 << 2);
        var s2 = r2 * (5 << 2);

        ulong h0 = 0, h1 = 0, h2 = 0;
        const ulong hibit = 1UL << 40;

        var full = message.Length & ~15;
        for (var offset = 0; offset < full; offset += 16)
        {
            var m0 = BinaryPrimitives.ReadUInt64LittleEndian(message[offset..]);
            var m1 = BinaryPrimitives.ReadUInt64LittleEndian(message[(offset + 8)..]);
            Block(m0, m1, hibit, r0, r1, r2, s1, s2, ref h0, ref h1, ref h2);
        }

        if (full < message.Length)
        {
            // The last partial block is padded with a single 1 byte and zeros, with no 2^128 bit.
            Span<byte> last = stackalloc byte[16];
            last.Clear();
            var rest = message[full..];
            rest.CopyTo(last);
            last[rest.Length] = 1;
            Block(BinaryPrimitives.ReadUInt64LittleEndian(last), BinaryPrimitives.ReadUInt64LittleEndian(last[8..]), 0,
                r0, r1, r2, s1, s2, ref h0, ref h1, ref h2);
        }

        // Fully carry h.
        var c = h1 >> 44; h1 &= Mask44;
        h2 += c; c = h2 >> 42; h2 &= Mask42;
        h0 += c * 5; c = h0 >> 44; h0 &= Mask44;
        h1 += c; c = h1 >> 44; h1 &= Mask44;
        h2 += c; c = h2 >> 42; h2 &= Mask42;
        h0 += c * 5; c = h0 >> 44; h0 &= Mask44;
        h1 += c;

        // g = h + 5 - 2^130; pick g when it did not go negative, i.e. h >= p (without branching).
        var g0 = h0 + 5; c = g0 >> 44; g0 &= Mask44;
        var g1 = h1 + c; c = g1 >> 44; g1 &= Mask44;
        var g2 = h2 + c - (1UL << 42);
        var select = (g2 >> 63) - 1;
        g0 &= select; g1 &= select; g2 &= select;
        select = ~select;
        h0 = (h0 & select) | g0;
        h1 = (h1 & select) | g1;
        h2 = (h2 & select) | g2;

        // h + s mod 2^128.
        var p0 = BinaryPrimitives.ReadUInt64LittleEndian(key[16..]);
        var p1 = BinaryPrimitives.ReadUInt64LittleEndian(key[24..]);
        h0 += p0 & Mask44; c = h0 >> 44; h0 &= Mask44;
        h1 += (((p0 >> 44) | (p1 << 20)) & Mask44) + c; c = h1 >> 44; h1 &= Mask44;
        h2 += ((p1 >> 24) & Mask42) + c; h2 &= Mask42;

        BinaryPrimitives.WriteUInt64LittleEndian(tag, h0 | (h1 << 44));
        BinaryPrimitives.WriteUInt64LittleEndian(tag[8..], (h1 >> 20) | (h2 << 24));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(ulong m0, ulong m1, ulong hibit, ulong r0, ulong r1, ulong r2, ulong s1, ulong s2,
        ref ulong h0, ref ulong h1, ref ulong h2)
    {
        h0 += m0 & Mask44;
        h1 += ((m0 >> 44) | (m1 << 20)) & Mask44;
        h2 += ((m1 >> 24) & Mask42) | hibit;

        // d_i = sum of the schoolbook products as 128-bit (hi, lo) pairs.
        ulong d0Hi = Math.BigMul(h0, r0, out var d0Lo);
        MulAdd(h1, s2, ref d0Hi, ref d0Lo);
        MulAdd(h2, s1, ref d0Hi, ref d0Lo);
        ulong d1Hi = Math.BigMul(h0, r1, out var d1Lo);
        MulAdd(h1, r0, ref d1Hi, ref d1Lo);
        MulAdd(h2, s2, ref d1Hi, ref d1Lo);
        ulong d2Hi = Math.BigMul(h0, r2, out var d2Lo);
        MulAdd(h1, r1, ref d2Hi, ref d2Lo);
        MulAdd(h2, r0, ref d2Hi, ref d2Lo);

        var c = (d0Lo >> 44) | (d0Hi << 20); h0 = d0Lo & Mask44;
        d1Lo += c; d1Hi += d1Lo < c ? 1UL : 0UL;
        c = (d1Lo >> 44) | (d1Hi << 20); h1 = d1Lo & Mask44;
        d2Lo += c; d2Hi += d2Lo < c ? 1UL : 0UL;
        c = (d2Lo >> 42) | (d2Hi << 22); h2 = d2Lo & Mask42;
        h0 += c * 5; c = h0 >> 44; h0 &= Mask44;
        h1 += c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulAdd(ulong a, ulong b, ref ulong hi, ref ulong lo)
    {
        var h = Math.BigMul(a, b, out var l);
        lo += l;
        hi += h + (lo < l ? 1UL : 0UL);
    }
}
