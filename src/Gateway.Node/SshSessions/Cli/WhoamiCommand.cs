using System.Globalization;
using System.Text;
using Gateway.Ssh;

namespace Gateway.Node.SshSessions.Cli;

/// <summary><c>whoami</c>: who this connection signed in as, how, with which key, and until when.</summary>
public sealed class WhoamiCommand : ICliCommand
{
    /// <summary>Said for the expiry until the gateway has a sign-in that can end.</summary>
    public const string NoExpiry = "no expiry (this gateway has no sign-in: the key is checked each time you connect)";

    public string Name => "whoami";
    public string Usage => "whoami [--json]";
    public string Summary => "who you are signed in as: identity, groups, key, expiry";
    public bool AcceptsJson => true;
    public int MaxArguments => 0;

    public Task<CliResult> RunAsync(CliInvocation invocation, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var report = WhoamiReport.Of(context);
        return Task.FromResult(CliResult.Output(invocation.Json ? CliJson.Write(report) : Render(report)));
    }

    public static string Render(WhoamiReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        Line(text, "Email", report.Email);
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
        else
        {
            Line(text, "Signed in with", "public key");
            Line(text, "Key", $"{report.KeyType} {report.KeyFingerprint}");
        }
        Line(text, "SSH user", PeerText.Sanitize(report.SshUsername));
        Line(text, "Session", $"{report.SessionId} from {report.ClientAddress}");
        Line(text, "Expires", report.ExpiresAt is { } expires ? Time(expires, "") : NoExpiry);
        return text.ToString();
    }

    private static void Line(StringBuilder text, string label, string value) => text.Append((label + ":").PadRight(16)).Append(value).Append('\n');

    private static string Time(DateTimeOffset? time, string none)
        => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : none;
}
