using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gateway.Ssh.Crypto;

/// <summary>
/// AES in counter mode (RFC 4344) built from ECB, since .NET has no CTR mode: a run of
/// consecutive big-endian 128-bit counter blocks is ECB-encrypted in one call into a reusable
/// key-stream buffer. The counter and the unused tail of the key stream carry across packets.
/// </summary>
internal sealed class AesCtrKeyStream : IDisposable
{
    // Large enough that the per-call cost of the platform ECB is amortised; small enough to keep
    // per-connection memory modest.
    private const int ChunkBytes = 8192;

    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counterBlocks = new byte[ChunkBytes];
    private readonly byte[] _keyStream = new byte[ChunkBytes];
    private ulong _counterHigh;
    private ulong _counterLow;
    private int _position = ChunkBytes;

    public AesCtrKeyStream(ReadOnlySpan<byte> key, ReadOnlySpan<byte> initialCounter)
    {
        if (key.Length is not (16 or 24 or 32)) throw new ArgumentException("AES key must be 16, 24 or 32 bytes.", nameof(key));
        if (initialCounter.Length != 16) throw new ArgumentException("AES-CTR counter must be 16 bytes.", nameof(initialCounter));
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        // One long-lived transform keeps the native cipher context; the one-shot EncryptEcb would
        // create (and allocate) a fresh one on every refill.
        _ecb = _aes.CreateEncryptor();
        _counterHigh = BinaryPrimitives.ReadUInt64BigEndian(initialCounter);
        _counterLow = BinaryPrimitives.ReadUInt64BigEndian(initialCounter[8..]);
    }

    /// <summary>Encrypts or decrypts <paramref name="data"/> in place, continuing the stream.</summary>
    public void Transform(Span<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_position == ChunkBytes) Refill();
            var n = Math.Min(ChunkBytes - _position, data.Length);
            XorHelper.Xor(data[..n], _keyStream.AsSpan(_position, n));
            _position += n;
            data = data[n..];
        }
    }

    private void Refill()
    {
        var blocks = _counterBlocks.AsSpan();
        for (var offset = 0; offset < ChunkBytes; offset += 16)
        {
            BinaryPrimitives.WriteUInt64BigEndian(blocks[offset..], _counterHigh);
            BinaryPrimitives.WriteUInt64BigEndian(blocks[(offset + 8)..], _counterLow);
            // The whole 128-bit block is the counter (RFC 4344 §4), so carry into the high half.
            if (++_counterLow == 0) _counterHigh++;
        }
        _ecb.TransformBlock(_counterBlocks, 0, ChunkBytes, _keyStream, 0);
        _position = 0;
    }

    public void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_keyStream);
    }
}
