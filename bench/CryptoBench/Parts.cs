using System.Diagnostics;
using Gateway.Ssh.Crypto;

namespace Gateway.CryptoBench;

/// <summary>Times the building blocks separately, to see where a suite spends its time.</summary>
internal static class Parts
{
    public static void Run(double seconds)
    {
        var data = new byte[32 * 1024];
        new Random(2).NextBytes(data);
        var key = new byte[32];
        var tag = new byte[16];
        var nonce = new byte[12];

        Report("Poly1305 (own, scalar 44-bit limbs)", seconds, data.Length, () => Poly1305.Compute(key, data, tag, vectorise: false));
        if (Poly1305Avx2.IsSupported)
            Report("Poly1305 (own, AVX2 four lanes)", seconds, data.Length, () => Poly1305.Compute(key, data, tag, vectorise: true));

        var bcPoly = new Org.BouncyCastle.Crypto.Macs.Poly1305();
        Report("Poly1305 (BouncyCastle)", seconds, data.Length, () =>
        {
            bcPoly.Init(new Org.BouncyCastle.Crypto.Parameters.KeyParameter(key));
            bcPoly.BlockUpdate(data, 0, data.Length);
            bcPoly.DoFinal(tag, 0);
        });

        using var aead = new System.Security.Cryptography.ChaCha20Poly1305(key);
        Report(".NET ChaCha20Poly1305.Encrypt in place", seconds, data.Length, () => aead.Encrypt(nonce, data, data, tag));

        // Baseline for the hybrid: the whole OpenSSH construction (one direction) in pure BouncyCastle.
        var bcKey = new Org.BouncyCastle.Crypto.Parameters.KeyParameter(key);
        var bcNonce = new byte[8];
        var block0 = new byte[64];
        var zeros = new byte[64];
        Report("chacha20-poly1305@openssh.com seal, pure BouncyCastle", seconds, data.Length, () =>
        {
            var engine = new Org.BouncyCastle.Crypto.Engines.ChaChaEngine(20);
            engine.Init(true, new Org.BouncyCastle.Crypto.Parameters.ParametersWithIV(bcKey, bcNonce));
            engine.ProcessBytes(zeros, 0, 64, block0, 0);
            engine.ProcessBytes(data, 0, data.Length, data, 0);
            bcPoly.Init(new Org.BouncyCastle.Crypto.Parameters.KeyParameter(block0, 0, 32));
            bcPoly.BlockUpdate(data, 0, data.Length);
            bcPoly.DoFinal(tag, 0);
        });

        using var ctr = new AesCtrKeyStream(key, new byte[16]);
        Report("AES-256-CTR key stream (own)", seconds, data.Length, () => ctr.Transform(data));

        using var hmac = System.Security.Cryptography.IncrementalHash.CreateHMAC(System.Security.Cryptography.HashAlgorithmName.SHA256, key);
        var mac = new byte[32];
        Report("HMAC-SHA256 (IncrementalHash)", seconds, data.Length, () =>
        {
            hmac.AppendData(data);
            hmac.GetHashAndReset(mac);
        });
    }

    private static void Report(string name, double seconds, int bytesPerCall, Action action)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 0.2) action();
        long calls = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 8; i++) action();
            calls += 8;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Console.WriteLine($"{name,-65} {calls * (double)bytesPerCall / (1024 * 1024) / clock.Elapsed.TotalSeconds,8:F0} {allocated / (double)calls,12:F1}");
    }
}
