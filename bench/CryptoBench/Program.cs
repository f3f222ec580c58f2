using System.Buffers.Binary;
using System.Diagnostics;
using Gateway.Ssh.Crypto;

// Throughput of Seal+Open per cipher suite on 32 KiB packets, single thread. Each suite runs
// for about two seconds after a short warm-up; the figure is payload MiB sealed and opened per second.
var seconds = args.Length > 0 && double.TryParse(args[0], out var s) ? s : 2.0;
const int PacketPayload = 32 * 1024;

var suites = new List<(string Cipher, string? Mac)>();
foreach (var c in CipherAlgorithms.SupportedCiphers)
{
    CipherAlgorithms.TryGetCipher(c, out var info);
    if (info.IsAead) suites.Add((c, null));
    else foreach (var m in CipherAlgorithms.SupportedMacs) suites.Add((c, m));
}

Console.WriteLine($"{"cipher",-32} {"mac",-32} {"MiB/s",8} {"alloc B/pkt",12}");
Console.WriteLine(new string('-', 88));
foreach (var (cipherName, macName) in suites)
{
    CipherAlgorithms.TryGetCipher(cipherName, out var cipher);
    MacInfo? mac = null;
    if (macName is not null && CipherAlgorithms.TryGetMac(macName, out var m)) mac = m;
    var random = new Random(1);
    var key = new byte[cipher.KeyLength];
    var iv = new byte[cipher.IvLength];
    var macKey = new byte[mac?.KeyLength ?? 0];
    random.NextBytes(key);
    random.NextBytes(iv);
    random.NextBytes(macKey);
    using var sealer = CipherAlgorithms.Create(cipher, mac, key, iv, macKey, true);
    using var opener = CipherAlgorithms.Create(cipher, mac, key, iv, macKey, false);

    var align = Math.Max(8, sealer.BlockSize);
    var padding = align - (1 + PacketPayload) % align;
    if (padding < 4) padding += align;
    var bodyLength = 1 + PacketPayload + padding;
    var packet = new byte[4 + bodyLength + sealer.TagLength];
    random.NextBytes(packet);

    uint seq = 0;
    void One()
    {
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)bodyLength);
        packet[4] = (byte)padding;
        sealer.Seal(seq, packet);
        if (!opener.Open(seq, packet)) throw new InvalidOperationException($"{cipherName} failed to open its own packet");
        seq++;
    }

    var warm = Stopwatch.StartNew();
    while (warm.Elapsed.TotalSeconds < 0.3) One();

    var allocBefore = GC.GetAllocatedBytesForCurrentThread();
    long packets = 0;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        for (var i = 0; i < 16; i++) One();
        packets += 16;
    }
    var elapsed = clock.Elapsed.TotalSeconds;
    var allocated = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
    var mibPerSecond = packets * (double)PacketPayload / (1024 * 1024) / elapsed;
    Console.WriteLine($"{cipherName,-32} {macName ?? "(aead)",-32} {mibPerSecond,8:F0} {allocated / (double)packets,12:F1}");
}

if (args.Contains("--parts"))
{
    Console.WriteLine();
    Console.WriteLine($"{"building block (32 KiB per call)",-65} {"MiB/s",8} {"alloc B/call",12}");
    Console.WriteLine(new string('-', 88));
    Gateway.CryptoBench.Parts.Run(seconds);
}
