using System.Diagnostics;

namespace Gateway.Node.Tests.Http.Support;

public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

public static class ProcessRunner
{
    /// <summary>Runs a program to completion with a hard timeout; the process tree is killed on timeout.</summary>
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish in {timeout}");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>curl against the gateway: the name resolves to loopback, trust is the gateway's CA.</summary>
    public static Task<ProcessResult> CurlAsync(string caPath, string host, int port, string path, params string[] extra)
    {
        var args = new List<string>
        {
            "-sS", "--max-time", "60",
            "--resolve", $"{host}:{port}:127.0.0.1",
            "--cacert", caPath,
            "-w", "\n%{http_code} %{http_version}",
        };
        args.AddRange(extra);
        args.Add($"https://{host}:{port}{path}");
        return RunAsync("curl", args, TimeSpan.FromSeconds(90));
    }
}
