using System.Globalization;

namespace Gateway.Node.SshSessions.Cli;

/// <summary><c>routes</c>: the tunnel routes this identity may serve, with their status and health in the whole cluster.</summary>
public sealed class RoutesCommand : ICliCommand
{
    public string Name => "routes";
    public string Usage => "routes [--json]";
    public string Summary => "the tunnel routes you may serve, with status and health across the cluster";
    public bool AcceptsJson => true;
    public int MaxArguments => 0;

    public Task<CliResult> RunAsync(CliInvocation invocation, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(context);
        var routes = context.Routes.Read(context.Admissions);
        return Task.FromResult(CliResult.Output(invocation.Json ? CliJson.Write(new { routes }) : Render(routes, context.Identity.Email)));
    }

    public static string Render(IReadOnlyList<RouteReport> routes, string email)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (routes.Count == 0) return $"no tunnel route's ssh_policy admits {email}\n";
        return TextTable.Render(["STATUS", "HEALTH", "ENDPOINTS", "REMOTE", "LOCAL"], routes.Select(r => (IReadOnlyList<string>)
        [
            RouteState.Text(r.Status),
            RouteState.Text(r.Health),
            r.Endpoints.Total.ToString(CultureInfo.InvariantCulture),
            r.From,
            string.Join(",", r.To),
        ]));
    }
}
