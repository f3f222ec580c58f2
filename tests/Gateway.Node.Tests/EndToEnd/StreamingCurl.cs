using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Gateway.Node.Tests.Support;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>What a streamed curl download produced.</summary>
public sealed record DownloadResult(int ExitCode, long Bytes, string Sha256, string Protocol, int Status, long? ContentLength, TimeSpan Elapsed, string Stderr)
{
    public double MegabytesPerSecond => Bytes / 1e6 / Math.Max(Elapsed.TotalSeconds, 1e-3);
}

/// <summary>
/// The real curl downloading from a node to its stdout, read by the test in 1 MiB pieces into a
/// SHA-256 (nothing held in memory). Response headers go to a file for the status and Content-Length.
/// HTTP/1.1 unless <c>extra</c> holds another version flag (curl takes the last one).
/// </summary>
public static class StreamingCurl
{
    /// <param name="onProgress">Called with the byte count after each piece (e.g. to break the tunnel mid-way).</param>
    public static async Task<DownloadResult> DownloadAsync(GatewayNodeProcess node, string host, string path, string headersFile, TimeSpan timeout,
        Func<long, Task>? onProgress = null, params string[] extra)
    {
        var port = node.HttpsPort.ToString(CultureInfo.InvariantCulture);
        var info = new ProcessStartInfo("curl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-sS", "--http1.1", "--max-time", ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                     "--cacert", node.CaPath, "--resolve", $"{host}:{port}:127.0.0.1", "-D", headersFile, "-o", "-"])
            info.ArgumentList.Add(arg);
        foreach (var arg in extra) info.ArgumentList.Add(arg);
        info.ArgumentList.Add($"https://{host}:{port}{path}");

        using var process = Process.Start(info) ?? throw new InvalidOperationException("curl did not start");
        using var cancel = new CancellationTokenSource(timeout + TimeSpan.FromSeconds(30));
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var stderr = process.StandardError.ReadToEndAsync(cancel.Token);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1024 * 1024];
            long total = 0;
            var stdout = process.StandardOutput.BaseStream;
            int read;
            while ((read = await stdout.ReadAsync(buffer, cancel.Token)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
                if (onProgress is not null) await onProgress(total);
            }
            await process.WaitForExitAsync(cancel.Token);
            stopwatch.Stop();
            var (protocol, status, length) = ParseHeaders(headersFile);
            return new DownloadResult(process.ExitCode, total, Convert.ToHexStringLower(hash.GetHashAndReset()), protocol, status, length, stopwatch.Elapsed, await stderr);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static (string Protocol, int Status, long? ContentLength) ParseHeaders(string path)
    {
        if (!File.Exists(path)) return ("", 0, null);
        var protocol = "";
        var status = 0;
        long? length = null;
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.StartsWith("HTTP/", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                protocol = parts[0];
                status = int.Parse(parts[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase))
                length = long.Parse(line["content-length:".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        return (protocol, status, length);
    }
}
