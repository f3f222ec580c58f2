using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    /// <summary>Computes the tag, with AVX2 for the bulk of long messages when available.</summary>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> tag) =>
        Compute(key, message, tag, Poly1305Avx2.IsSupported);

    /// <summary>Computes the tag; <paramref name="vectorise"/> lets tests pin either path.</summary>
    internal static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> tag, bool vectorise)
    {
        if (key.Length < KeySize) throw new ArgumentException("Poly1305 key is 32 bytes.", nameof(key));
        if (tag.Length < TagSize) throw new ArgumentException("Poly1305 tag is 16 bytes.", nameof(tag));

        var t0 = BinaryPrimitives.ReadUInt64LittleEndian(key);
        var t1 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);

        // r is clamped as the RFC requires; s = r * 5 * 4 folds the reduction mod 2^130 - 5 in.
        var r0 = t0 & 0xffc0fffffff;
        var r1 = ((t0 >> 44) | (t1 << 20)) & 0xfffffc0ffff;
        var r2 = (t1 >> 24) & 0x00ffffffc0f;
        var s1 = r1 * (5 << 2);
        var s2 = r2 * (5 << 2);

        ulong h0 = 0, h1 = 0, h2 = 0;

        var full = message.Length & ~15;
        var start = 0;
        if (vectorise && full >= Poly1305Avx2.MinimumBytes)
        {
            // Powers of r for the four-lane vector code; it hands back h for the blocks it consumed.
            var (p2a, p2b, p2c) = Multiply(r0, r1, r2, r0, r1, r2, s1, s2);
            var (p3a, p3b, p3c) = Multiply(p2a, p2b, p2c, r0, r1, r2, s1, s2);
            var (p4a, p4b, p4c) = Multiply(p3a, p3b, p3c, r0, r1, r2, s1, s2);
            start = full & ~63;
            (h0, h1, h2) = Poly1305Avx2.Process(message[..start], (r0, r1, r2), (p2a, p2b, p2c), (p3a, p3b, p3c), (p4a, p4b, p4c));
        }

        ref var m = ref MemoryMarshal.GetReference(message);
        for (var offset = start; offset < full; offset += 16)
        {
            var m0 = ReadLittleEndian(ref m, offset);
            var m1 = ReadLittleEndian(ref m, offset + 8);
            Block(m0, m1, 1UL << 40, r0, r1, r2, s1, s2, ref h0, ref h1, ref h2);
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

    /// <summary>a · r mod p (partially reduced), for computing powers of r.</summary>
    private static (ulong, ulong, ulong) Multiply(ulong a0, ulong a1, ulong a2, ulong r0, ulong r1, ulong r2, ulong s1, ulong s2)
    {
        Block(0, 0, 0, r0, r1, r2, s1, s2, ref a0, ref a1, ref a2);
        return (a0, a1, a2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadLittleEndian(ref byte source, int offset)
    {
        var value = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(ulong m0, ulong m1, ulong hibit, ulong r0, ulong r1, ulong r2, ulong s1, ulong s2,
        ref ulong h0, ref ulong h1, ref ulong h2)
    {
        var a0 = h0 + (m0 & Mask44);
        var a1 = h1 + (((m0 >> 44) | (m1 << 20)) & Mask44);
        var a2 = h2 + (((m1 >> 24) & Mask42) | hibit);

        // d_i = sum of the schoolbook products, each a 128-bit value; the limbs are small enough
        // (< 2^46 times < 2^50) that the three partial sums cannot overflow 128 bits.
        var d0 = (UInt128)a0 * r0 + (UInt128)a1 * s2 + (UInt128)a2 * s1;
        var d1 = (UInt128)a0 * r1 + (UInt128)a1 * r0 + (UInt128)a2 * s2;
        var d2 = (UInt128)a0 * r2 + (UInt128)a1 * r1 + (UInt128)a2 * r0;

        var c = (ulong)(d0 >> 44); var n0 = (ulong)d0 & Mask44;
        d1 += c;
        c = (ulong)(d1 >> 44); var n1 = (ulong)d1 & Mask44;
        d2 += c;
        c = (ulong)(d2 >> 42); var n2 = (ulong)d2 & Mask42;
        n0 += c * 5; c = n0 >> 44; n0 &= Mask44;
        h0 = n0;
        h1 = n1 + c;
        h2 = n2;
    }
}
