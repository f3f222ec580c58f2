using System.Diagnostics;
using System.Text;

namespace Gateway.Testing;

/// <summary>
/// A real program run by a test (ssh, sshd, ssh-keygen, curl...). Output is captured; the process
/// is killed with its children when disposed, so a failing test never leaves it running.
/// </summary>
public sealed class ExternalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly MemoryStream _binaryStdout = new();
    private Task _binaryPump = Task.CompletedTask;

    private ExternalProcess(Process process) => _process = process;

    /// <summary>Raw standard output, when started with binary output capture.</summary>
    public byte[] StdoutBytes { get { lock (_binaryStdout) return _binaryStdout.ToArray(); } }

    public int Id => _process.Id;
    public Stream StandardInput => _process.StandardInput.BaseStream;
    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }
    public bool HasExited => _exited.Task.IsCompleted;
    public int ExitCode => _process.ExitCode;

    /// <param name="unsetEnvironment">variables the program must not inherit from the test process.</param>
    public static ExternalProcess Start(string fileName, IEnumerable<string> arguments, bool redirectStdin = false, string? workingDirectory = null, IDictionary<string, string>? environment = null, bool binaryStdout = false, IEnumerable<string>? unsetEnvironment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (environment is not null)
            foreach (var (key, value) in environment) info.Environment[key] = value;
        foreach (var key in unsetEnvironment ?? []) info.Environment.Remove(key);

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var wrapper = new ExternalProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (wrapper._stdout) wrapper._stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (wrapper._stderr) wrapper._stderr.AppendLine(e.Data); };
        process.Exited += (_, _) => wrapper._exited.TrySetResult();
        process.Start();
        if (binaryStdout)
            wrapper._binaryPump = Task.Run(async () =>
            {
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await process.StandardOutput.BaseStream.ReadAsync(buffer)) > 0)
                    lock (wrapper._binaryStdout) wrapper._binaryStdout.Write(buffer, 0, read);
            });
        else
            process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!redirectStdin) process.StandardInput.Close();
        return wrapper;
    }

    /// <summary>Runs to completion within <paramref name="timeout"/>; killed and reported otherwise.</summary>
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, byte[]? input = null)
    {
        await using var process = Start(fileName, arguments, redirectStdin: input is not null, binaryStdout: true);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        var exited = await process.WaitForExitAsync(timeout);
        if (!exited)
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}\nstdout: {process.Stdout}\nstderr: {process.Stderr}");
        await process._binaryPump.WaitAsync(timeout);
        var bytes = process.StdoutBytes;
        return new ProcessResult(process.ExitCode, System.Text.Encoding.UTF8.GetString(bytes), process.Stderr, bytes);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.Task.WaitAsync(timeout);
            _process.WaitForExit(); // drains the redirected output
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the captured stderr (ssh writes its logs there).</summary>
    public async Task<bool> WaitForStderrAsync(Func<string, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition(Stderr)) return true;
            if (HasExited) return condition(Stderr);
            await Task.Delay(20);
        }
        return condition(Stderr);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException) { }
        catch (TimeoutException) { }
        _process.Dispose();
    }
}

public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, byte[] StdoutBytes);
