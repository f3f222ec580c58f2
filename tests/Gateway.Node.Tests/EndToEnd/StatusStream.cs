using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// The node's plain-text status stream as a real <c>ssh -T ... -R ...</c> without a command shows
/// it: the shell channel's output lands on ssh's stdout. stdin must stay open (redirected, never
/// closed), or ssh sends EOF and the node ends the stream.
/// </summary>
public static class StatusStream
{
    public static ExternalProcess Open(TunnelClient client, GatewayNodeProcess node, params string[] forwards)
    {
        var flags = new List<string> { "-T", "-v" };
        foreach (var forward in forwards) flags.AddRange(["-R", forward]);
        return client.Connect(node, flags, redirectStdin: true);
    }

    /// <summary>Waits until the stream's text (ssh's stdout) satisfies <paramref name="condition"/>.</summary>
    public static async Task<bool> WaitForAsync(ExternalProcess ssh, Func<string, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition(ssh.Stdout)) return true;
            if (ssh.HasExited) break;
            await Task.Delay(25);
        }
        return condition(ssh.Stdout);
    }

    public static Task<bool> WaitForAsync(ExternalProcess ssh, string text, TimeSpan timeout)
        => WaitForAsync(ssh, s => s.Contains(text, StringComparison.Ordinal), timeout);
}
