using System.Text.Json;

namespace Gateway.Testing.SignIn;

/// <summary>
/// Runs a <see cref="BrowserPlan"/> in Debian's headless Chromium, driven by playwright-core
/// (<c>node tests/signin/browser.mjs plan.json</c>). Every hostname resolves to 127.0.0.1 and
/// certificates are not checked, so a test reaches its loopback listeners by any name
/// (<c>https://app.localhost.test:PORT</c>). Each run is a new browser; a
/// <see cref="BrowserProfile"/> carries cookies from one run to the next.
/// </summary>
public static class HeadlessBrowser
{
    // Starting Chromium and closing it, on top of the steps' own bounds.
    private static readonly TimeSpan Overhead = TimeSpan.FromSeconds(30);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Runs the plan; the result says whether every step passed (it is returned either way). Throws
    /// when the driver itself could not run or did not finish within <paramref name="timeout"/>
    /// (by default the steps' bounds plus half a minute); the process is killed then, and on cancel.
    /// </summary>
    public static async Task<BrowserResult> RunAsync(BrowserPlan plan, BrowserProfile? profile = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var script = SignInHarness.Script("browser.mjs");
        using var dir = new TempDirectory();
        var planPath = dir.Write("plan.json", plan.ToJson(profile?.StatePath).ToJsonString());
        var limit = timeout ?? (plan.StepTimeout + TimeSpan.FromSeconds(1)) * Math.Max(1, plan.Count) + Overhead;

        // Chromium fails a navigation in flight when an interface on the machine changes.
        await using var quiet = await HostNetworkChanges.QuietAsync(ct);
        await using var process = ExternalProcess.Start("node", [script, planPath], workingDirectory: SignInHarness.Directory);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var exit = process.WaitForExitAsync(limit);
        await Task.WhenAny(exit, Task.Delay(Timeout.Infinite, stop.Token));
        ct.ThrowIfCancellationRequested(); // disposing the process kills it and Chromium
        await stop.CancelAsync();
        if (!await exit)
            throw new TimeoutException($"the browser run did not finish within {limit}\nstdout: {process.Stdout}\nstderr: {process.Stderr}");

        var line = process.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        BrowserResult? result = null;
        try
        {
            if (line is not null) result = JsonSerializer.Deserialize<BrowserResult>(line, Json);
        }
        catch (JsonException)
        {
        }
        if (result is null || (process.ExitCode == 0) != result.Ok || process.ExitCode is not (0 or 1))
            throw new InvalidOperationException($"the browser driver exited with code {process.ExitCode} without a result\nstdout: {process.Stdout}\nstderr: {process.Stderr}");
        return result with { Diagnostics = process.Stderr };
    }
}
