using System.Globalization;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>The real curl against a node, trusting the node's generated CA and resolving route names to loopback.</summary>
public static class Curl
{
    public static Task<ProcessResult> GetAsync(GatewayNodeProcess node, string host, string path = "/", params string[] extra)
    {
        var port = node.HttpsPort.ToString(CultureInfo.InvariantCulture);
        var args = new List<string> { "-sS", "--max-time", "60", "--cacert", node.CaPath, "--resolve", $"{host}:{port}:127.0.0.1",
            "-w", "\n%{http_code}" };
        args.AddRange(extra);
        args.Add($"https://{host}:{port}{path}");
        return ExternalProcess.RunAsync("curl", args, TimeSpan.FromSeconds(90));
    }

    /// <summary>
    /// Repeats the request (each one a new curl process, so a new downstream connection) until
    /// <paramref name="done"/> holds for the status or <paramref name="timeout"/> passes; returns the last reply.
    /// </summary>
    public static async Task<(string Body, int Status)> WaitForStatusAsync(GatewayNodeProcess node, string host, Func<int, bool> done, TimeSpan timeout, string path = "/")
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var reply = Parse(await GetAsync(node, host, path));
            if (done(reply.Status) || DateTime.UtcNow >= deadline) return reply;
            await Task.Delay(100);
        }
    }

    /// <summary>Splits curl's output (body, then the status on the last line, from -w).</summary>
    public static (string Body, int Status) Parse(ProcessResult result)
    {
        var cut = result.Stdout.LastIndexOf('\n');
        var status = int.Parse(result.Stdout[(cut + 1)..].Trim(), CultureInfo.InvariantCulture);
        return (result.Stdout[..cut], status);
    }
}
