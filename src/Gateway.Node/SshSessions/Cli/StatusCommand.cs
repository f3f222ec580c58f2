using System.Globalization;
using Gateway.Ssh;

namespace Gateway.Node.SshSessions.Cli;

/// <summary><c>status</c>: this connection's forward requests and the routes each serves.</summary>
public sealed class StatusCommand : ICliCommand
{
    public string Name => "status";
    public string Usage => "status [--json]";
    public string Summary => "this connection's forwards (-R requests) and the routes each serves";
    public bool AcceptsJson => true;
    public int MaxArguments => 0;

    public async Task<CliResult> RunAsync(CliInvocation invocation, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(context);
        var status = await context.Forwards(cancellationToken).ConfigureAwait(false);
        var report = new ConnectionReport(context.SessionId, context.ClientAddress, context.Identity.Email,
            status.Forwards.Select(f => ForwardReport.Of(f, context.Admissions)).ToList());
        return CliResult.Output(invocation.Json ? CliJson.Write(report) : Render(report));
    }

    public static string Render(ConnectionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var head = $"connection {report.SessionId} from {report.ClientAddress} as {report.Email}\n";
        if (report.Forwards.Count == 0)
            return head + "no forwards on this connection (ssh -R 0 ... asks to serve every route you may serve)\n";
        return head + TextTable.Render(["HOSTNAME", "PORT", "MODE", "ROUTES"], report.Forwards.Select(f => (IReadOnlyList<string>)
        [
            f.MatchesAll ? "(all)" : PeerText.Sanitize(f.BindAddress),
            f.Mode == "dynamic" ? $"D {f.ServerPort.ToString(CultureInfo.InvariantCulture)}" : f.ServerPort.ToString(CultureInfo.InvariantCulture),
            f.Mode,
            Routes(f),
        ]));
    }

    private static string Routes(ForwardReport forward)
    {
        var served = forward.Routes.Count == 0 ? "none" : string.Join(", ", forward.Routes.Select(r => r.From));
        return forward.NotAdmitted.Count == 0 ? served : $"{served} (not admitted by ssh_policy: {string.Join(", ", forward.NotAdmitted.Select(r => r.From))})";
    }
}

/// <summary>What <c>status</c> reports: the connection and its forwards, in request order.</summary>
public sealed record ConnectionReport(string SessionId, string ClientAddress, string Email, IReadOnlyList<ForwardReport> Forwards);
