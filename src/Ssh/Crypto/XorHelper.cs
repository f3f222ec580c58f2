using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Gateway.Ssh.Crypto;

/// <summary>In-place XOR of a key stream into data, vectorised where the hardware allows.</summary>
internal static class XorHelper
{
    public static void Xor(Span<byte> data, ReadOnlySpan<byte> keyStream)
    {
        if (keyStream.Length < data.Length) throw new ArgumentException("Key stream is shorter than the data.", nameof(keyStream));
        var n = data.Length;
        ref var d = ref MemoryMarshal.GetReference(data);
        ref var k = ref MemoryMarshal.GetReference(keyStream);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 32 <= n; i += 32)
                (Vector256.LoadUnsafe(ref d, (nuint)i) ^ Vector256.LoadUnsafe(ref k, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16)
                (Vector128.LoadUnsafe(ref d, (nuint)i) ^ Vector128.LoadUnsafe(ref k, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref d, i) ^= Unsafe.Add(ref k, i);
    }
}
