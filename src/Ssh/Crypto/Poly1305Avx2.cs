using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Gateway.Ssh.Crypto;

/// <summary>
/// The bulk of Poly1305 four blocks at a time with AVX2. Each of four lanes keeps its own
/// accumulator in five 26-bit limbs (so <c>vpmuludq</c> can multiply them) and is multiplied by
/// r⁴ per step; the last group is multiplied by r⁴, r³, r², r per lane instead, so that adding
/// the lanes gives exactly the sequential Horner result. Handles whole 64-byte groups only and
/// returns h in the 44-bit limb form the scalar code continues with.
/// </summary>
internal static class Poly1305Avx2
{
    /// <summary>Below this the set-up (powers of r, lane merge) costs more than it saves.</summary>
    public const int MinimumBytes = 256;

    private const ulong Mask26 = 0x3ffffff;
    private const ulong Mask44 = 0xfffffffffff;

    public static bool IsSupported => Avx2.IsSupported && BitConverter.IsLittleEndian;

    public static (ulong H0, ulong H1, ulong H2) Process(ReadOnlySpan<byte> groups,
        (ulong, ulong, ulong) r1, (ulong, ulong, ulong) r2, (ulong, ulong, ulong) r3, (ulong, ulong, ulong) r4)
    {
        if (!IsSupported || groups.Length % 64 != 0 || groups.IsEmpty)
            throw new InvalidOperationException("AVX2 Poly1305 needs whole 64-byte groups on an AVX2 machine.");

        Span<ulong> p1 = stackalloc ulong[5];
        Span<ulong> p2 = stackalloc ulong[5];
        Span<ulong> p3 = stackalloc ulong[5];
        Span<ulong> p4 = stackalloc ulong[5];
        To26(r1, p1);
        To26(r2, p2);
        To26(r3, p3);
        To26(r4, p4);

        // Steady state: every lane times r⁴.
        var k0 = Vector256.Create(p4[0]);
        var k1 = Vector256.Create(p4[1]);
        var k2 = Vector256.Create(p4[2]);
        var k3 = Vector256.Create(p4[3]);
        var k4 = Vector256.Create(p4[4]);

        var h0 = Vector256<ulong>.Zero;
        var h1 = Vector256<ulong>.Zero;
        var h2 = Vector256<ulong>.Zero;
        var h3 = Vector256<ulong>.Zero;
        var h4 = Vector256<ulong>.Zero;

        ref var source = ref MemoryMarshal.GetReference(groups);
        var last = groups.Length - 64;
        for (var offset = 0; offset < last; offset += 64)
        {
            AddGroup(ref source, offset, ref h0, ref h1, ref h2, ref h3, ref h4);
            MultiplyReduce(ref h0, ref h1, ref h2, ref h3, ref h4, k0, k1, k2, k3, k4);
        }

        // The unpack in AddGroup leaves blocks in lane order 0, 2, 1, 3, so the final powers follow it.
        AddGroup(ref source, last, ref h0, ref h1, ref h2, ref h3, ref h4);
        MultiplyReduce(ref h0, ref h1, ref h2, ref h3, ref h4,
            Vector256.Create(p4[0], p2[0], p3[0], p1[0]),
            Vector256.Create(p4[1], p2[1], p3[1], p1[1]),
            Vector256.Create(p4[2], p2[2], p3[2], p1[2]),
            Vector256.Create(p4[3], p2[3], p3[3], p1[3]),
            Vector256.Create(p4[4], p2[4], p3[4], p1[4]));

        return Merge(Vector256.Sum(h0), Vector256.Sum(h1), Vector256.Sum(h2), Vector256.Sum(h3), Vector256.Sum(h4));
    }

    /// <summary>Adds four message blocks (with the 2^128 bit) to the four lane accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddGroup(ref byte source, int offset,
        ref Vector256<ulong> h0, ref Vector256<ulong> h1, ref Vector256<ulong> h2, ref Vector256<ulong> h3, ref Vector256<ulong> h4)
    {
        var a = Vector256.LoadUnsafe(ref source, (nuint)offset).AsUInt64();
        var b = Vector256.LoadUnsafe(ref source, (nuint)(offset + 32)).AsUInt64();
        var lo = Avx2.UnpackLow(a, b);
        var hi = Avx2.UnpackHigh(a, b);
        var mask = Vector256.Create(Mask26);
        h0 += lo & mask;
        h1 += (lo >>> 26) & mask;
        h2 += ((lo >>> 52) | (hi << 12)) & mask;
        h3 += (hi >>> 14) & mask;
        h4 += (hi >>> 40) | Vector256.Create(1UL << 24);
    }

    /// <summary>h := h · k mod 2^130 − 5 per lane, partially reduced to 26-bit limbs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyReduce(
        ref Vector256<ulong> h0, ref Vector256<ulong> h1, ref Vector256<ulong> h2, ref Vector256<ulong> h3, ref Vector256<ulong> h4,
        Vector256<ulong> k0, Vector256<ulong> k1, Vector256<ulong> k2, Vector256<ulong> k3, Vector256<ulong> k4)
    {
        // 2^130 ≡ 5, so limb products that overflow position 4 come back multiplied by 5.
        var s1 = k1 + (k1 << 2);
        var s2 = k2 + (k2 << 2);
        var s3 = k3 + (k3 << 2);
        var s4 = k4 + (k4 << 2);

        var d0 = Mul(h0, k0) + Mul(h1, s4) + Mul(h2, s3) + Mul(h3, s2) + Mul(h4, s1);
        var d1 = Mul(h0, k1) + Mul(h1, k0) + Mul(h2, s4) + Mul(h3, s3) + Mul(h4, s2);
        var d2 = Mul(h0, k2) + Mul(h1, k1) + Mul(h2, k0) + Mul(h3, s4) + Mul(h4, s3);
        var d3 = Mul(h0, k3) + Mul(h1, k2) + Mul(h2, k1) + Mul(h3, k0) + Mul(h4, s4);
        var d4 = Mul(h0, k4) + Mul(h1, k3) + Mul(h2, k2) + Mul(h3, k1) + Mul(h4, k0);

        var mask = Vector256.Create(Mask26);
        var c = d0 >>> 26; h0 = d0 & mask;
        d1 += c; c = d1 >>> 26; h1 = d1 & mask;
        d2 += c; c = d2 >>> 26; h2 = d2 & mask;
        d3 += c; c = d3 >>> 26; h3 = d3 & mask;
        d4 += c; c = d4 >>> 26; h4 = d4 & mask;
        h0 += c + (c << 2);
        c = h0 >>> 26; h0 &= mask;
        h1 += c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Mul(Vector256<ulong> a, Vector256<ulong> b) => Avx2.Multiply(a.AsUInt32(), b.AsUInt32());

    /// <summary>Splits a 44/44/42-bit limb value into five 26-bit limbs (the top one may exceed 26 bits slightly).</summary>
    private static void To26((ulong H0, ulong H1, ulong H2) h, Span<ulong> limbs)
    {
        var lo = h.H0 | (h.H1 << 44);
        var hi = (h.H1 >> 20) | (h.H2 << 24);
        var top = h.H2 >> 40;
        limbs[0] = lo & Mask26;
        limbs[1] = (lo >> 26) & Mask26;
        limbs[2] = ((lo >> 52) | (hi << 12)) & Mask26;
        limbs[3] = (hi >> 14) & Mask26;
        limbs[4] = (hi >> 40) | (top << 24);
    }

    /// <summary>Carries the summed lane limbs down to 26 bits and repacks them as 44/44/42-bit limbs.</summary>
    private static (ulong, ulong, ulong) Merge(ulong l0, ulong l1, ulong l2, ulong l3, ulong l4)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            l1 += l0 >> 26; l0 &= Mask26;
            l2 += l1 >> 26; l1 &= Mask26;
            l3 += l2 >> 26; l2 &= Mask26;
            l4 += l3 >> 26; l3 &= Mask26;
            if (pass == 0)
            {
                var c = l4 >> 26;
                l4 &= Mask26;
                l0 += c * 5;
            }
        }
        // Now l0..l3 < 2^26 and l4 <= 2^26, so the fields below do not overlap.
        var lo = l0 | (l1 << 26) | (l2 << 52);
        var mid = (l2 >> 12) | (l3 << 14) | (l4 << 40);
        var top = l4 >> 24;
        return (lo & Mask44, ((lo >> 44) | (mid << 20)) & Mask44, (mid >> 24) | (top << 40));
    }
}
