using System.Globalization;
using System.Text;
using Gateway.Ssh;

namespace Gateway.Node.SshSessions.Cli;

/// <summary><c>whoami</c>: who this connection signed in as, how, with which key, and until when.</summary>
public sealed class WhoamiCommand : ICliCommand
{
    /// <summary>Said for the expiry of a configured user (key or certificate), which no sign-in ends.</summary>
    public const string NoExpiry = "no expiry (a configured user's key or certificate, checked each time you connect)";

    public string Name => "whoami";
    public string Usage => "whoami [--json]";
    public string Summary => "who you are signed in as: identity, groups, claims, key, expiry";
    public bool AcceptsJson => true;
    public int MaxArguments => 0;

    public Task<CliResult> RunAsync(CliInvocation invocation, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var report = WhoamiReport.Of(context);
        return Task.FromResult(CliResult.Output(invocation.Json ? CliJson.Write(report) : Render(report, DateTimeOffset.UtcNow)));
    }

    public static string Render(WhoamiReport report) => Render(report, DateTimeOffset.UtcNow);

    /// <param name="now">for the time left until a sign-in's expiry</param>
    public static string Render(WhoamiReport report, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        if (report.Subject is { } subject) Line(text, "User ID", PeerText.Sanitize(subject));
        Line(text, "Email", PeerText.Sanitize(report.Email));
        Line(text, "Name", report.Name ?? "-");
        Line(text, "Groups", report.Groups.Count == 0 ? "(none)" : string.Join(", ", report.Groups));
        if (report.Certificate is { } cert)
        {
            Line(text, "Signed in with", "certificate");
            Line(text, "Key", $"{report.KeyType} {report.KeyFingerprint}");
            Line(text, "Certificate", $"ID \"{PeerText.Sanitize(cert.KeyId)}\" (serial {cert.Serial.ToString(CultureInfo.InvariantCulture)}), principals {string.Join(", ", cert.Principals.Select(p => PeerText.Sanitize(p)))}");
            Line(text, "Valid", $"{Time(cert.ValidAfter, "always")} to {Time(cert.ValidBefore, "forever")}");
            Line(text, "CA", $"{cert.CaKeyType} {cert.CaFingerprint}");
        }
        else if (report.SignInSessionId is not null)
        {
            Line(text, "Signed in with", "sign-in (this key is bound to it)");
            Line(text, "Key", $"{report.KeyType} {report.KeyFingerprint}");
        }
        else
        {
            Line(text, "Signed in with", "public key");
            Line(text, "Key", $"{report.KeyType} {report.KeyFingerprint}");
        }
        Line(text, "SSH user", PeerText.Sanitize(report.SshUsername));
        Line(text, "Session", $"{report.SessionId} from {report.ClientAddress}");
        if (report.SignInSessionId is { } signIn)
        {
            Line(text, "Sign-in", signIn);
            Line(text, "Expires at", report.ExpiresAt is { } at ? $"{Time(at, "")} ({Remaining(at - now)})" : "-");
            text.Append("Claims:\n");
            foreach (var (name, values) in report.Claims ?? new Dictionary<string, IReadOnlyList<string>>())
                text.Append("  ").Append(PeerText.Sanitize(name)).Append(": ").Append(string.Join(", ", values.Select(v => PeerText.Sanitize(v)))).Append('\n');
        }
        else
            Line(text, "Expires", report.ExpiresAt is { } expires ? Time(expires, "") : NoExpiry);
        return text.ToString();
    }

    /// <summary><c>in 13h59m</c>, <c>in 4m30s</c>, <c>in 12s</c>; <c>expired</c> once past.</summary>
    public static string Remaining(TimeSpan left)
    {
        if (left <= TimeSpan.Zero) return "expired";
        var seconds = (long)Math.Ceiling(left.TotalSeconds);
        var (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
        var text = h > 0 ? $"{h}h{m}m" : m > 0 ? $"{m}m{s}s" : $"{s}s";
        return "in " + text;
    }

    private static void Line(StringBuilder text, string label, string value) => text.Append((label + ":").PadRight(16)).Append(value).Append('\n');

    private static string Time(DateTimeOffset? time, string none)
        => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : none;
}
