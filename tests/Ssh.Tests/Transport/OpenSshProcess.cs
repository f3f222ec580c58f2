namespace Gateway.Ssh.Tests.Transport;

/// <summary>Runs a real OpenSSH program with a time limit and captures its output.</summary>
internal static class OpenSshProcess
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var result = await Gateway.Testing.ExternalProcess.RunAsync(program, arguments, timeout);
        return new Result(result.ExitCode, result.Stdout, result.Stderr);
    }
}
