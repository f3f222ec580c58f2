using System.Security.Cryptography;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// Deterministic pseudo-random file content (AES-128 in counter mode under a fixed key, so every
/// 16-byte block differs and a reordered, dropped or duplicated chunk changes the digest), written
/// in chunks with its SHA-256 computed on the way.
/// </summary>
public static class PseudoRandomFile
{
    private const int Chunk = 1024 * 1024;

    /// <summary>Writes <paramref name="length"/> bytes (a multiple of 16) and returns their SHA-256, lower-case hex.</summary>
    public static async Task<string> WriteAsync(string path, long length, byte seed)
    {
        if (length % 16 != 0) throw new ArgumentOutOfRangeException(nameof(length), "a multiple of 16");
        using var aes = Aes.Create();
        var key = new byte[16];
        key[0] = seed;
        aes.Key = key;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var counters = new byte[Chunk];
        var output = new byte[Chunk];
        long block = 0;
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.Asynchronous);
        for (long written = 0; written < length;)
        {
            var size = (int)Math.Min(Chunk, length - written);
            for (var i = 0; i < size; i += 16, block++)
                BitConverter.TryWriteBytes(counters.AsSpan(i, 8), block);
            aes.EncryptEcb(counters.AsSpan(0, size), output.AsSpan(0, size), PaddingMode.None);
            hash.AppendData(output, 0, size);
            await file.WriteAsync(output.AsMemory(0, size));
            written += size;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
