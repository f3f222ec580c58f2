using System.Diagnostics;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>Runs the real ssh-keygen with a time limit.</summary>
public static class SshKeygen
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static Result Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ssh-keygen")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ssh-keygen did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ssh-keygen {string.Join(' ', arguments)} did not finish within {Timeout}");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>Runs and fails the test if ssh-keygen exits non-zero.</summary>
    public static string Ok(params string[] arguments)
    {
        var result = Run(arguments);
        Assert.True(result.ExitCode == 0, $"ssh-keygen {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StdErr}");
        return result.StdOut;
    }

    /// <summary>Creates an unencrypted key; kind is e.g. ("ed25519", 0), ("ecdsa", 384), ("rsa", 3072).</summary>
    public static void CreateKey(string path, string type, int bits, string comment = "test")
    {
        var args = new List<string> { "-q", "-t", type, "-N", "", "-C", comment, "-f", path };
        if (bits > 0) args.AddRange(["-b", bits.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Ok([.. args]);
    }

    /// <summary>The SHA256:… fingerprint that ssh-keygen -lf prints for a key or certificate file.</summary>
    public static string Fingerprint(string path)
    {
        var output = Ok("-l", "-E", "sha256", "-f", path).Trim();
        return output.Split(' ')[1];
    }
}
