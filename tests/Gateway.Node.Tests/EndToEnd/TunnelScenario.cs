using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>One public route of a scenario: its host, its <c>to</c> URL, the user whose tunnel serves it, extra HOCON keys.</summary>
public sealed record ScenarioRoute(string Host, string To, string Owner = "alice", string Extra = "");

/// <summary>
/// The common shape of the data-path scenarios: a node process whose public routes are each
/// served (through <c>upstream_tunnel</c>) only by one named user, and real <c>ssh -N -R 0</c>
/// clients for those users. Everything started here is stopped on dispose.
/// </summary>
public sealed class TunnelScenario : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, TunnelClient> _users;
    private readonly List<ExternalProcess> _tunnels = [];

    private TunnelScenario(TempDirectory dir, Dictionary<string, TunnelClient> users, GatewayNodeProcess node)
    {
        Dir = dir;
        _users = users;
        Node = node;
    }

    public TempDirectory Dir { get; }
    public GatewayNodeProcess Node { get; }

    public static Task<TunnelScenario> StartAsync(TempDirectory dir, params ScenarioRoute[] routes) => StartAsync(dir, null, routes);

    /// <summary>As above, with the status listener on <paramref name="statusPort"/> (for <c>/status</c>) when given.</summary>
    public static async Task<TunnelScenario> StartAsync(TempDirectory dir, int? statusPort, params ScenarioRoute[] routes)
    {
        var users = new Dictionary<string, TunnelClient>();
        foreach (var owner in routes.Select(r => r.Owner).Distinct())
            users[owner] = await TunnelClient.CreateAsync(dir, owner);
        var userList = string.Join(",\n", users.Select(u => $$"""  { email = "{{u.Key}}@example.com", ssh_keys = ["{{u.Value.PublicKey}}"] }"""));
        var routeList = string.Join("\n", routes.Select(r => $$"""
              {
                from = "https://{{r.Host}}"
                to = "{{r.To}}"
                allow_public_unauthenticated_access = true
                upstream_tunnel { ssh_policy { allow { or = [{ email { is = "{{r.Owner}}@example.com" } }] } } }
                {{r.Extra}}
              }
            """));
        var status = statusPort is { } port ? $"cluster {{ status_address = \"127.0.0.1:{port}\" }}" : "";
        var node = GatewayNodeProcess.Create(dir, $"""
            users = [
            {userList}
            ]
            routes = [
            {routeList}
            ]
            {status}
            """, statusPort: statusPort);
        await node.StartAsync(TimeSpan.FromSeconds(60));
        return new TunnelScenario(dir, users, node);
    }

    /// <summary>
    /// A node whose <c>routes</c> list is written by the test (<paramref name="routesHocon"/>, the
    /// list's entries), for tunnel clients of <paramref name="owners"/>, each known as
    /// <c>OWNER@example.com</c>.
    /// </summary>
    public static async Task<TunnelScenario> StartWithRoutesAsync(TempDirectory dir, IEnumerable<string> owners, string routesHocon)
    {
        var users = new Dictionary<string, TunnelClient>();
        foreach (var owner in owners.Distinct())
            users[owner] = await TunnelClient.CreateAsync(dir, owner);
        var userList = string.Join(",\n", users.Select(u => $$"""  { email = "{{u.Key}}@example.com", ssh_keys = ["{{u.Value.PublicKey}}"] }"""));
        var node = GatewayNodeProcess.Create(dir, $"""
            users = [
            {userList}
            ]
            routes = [
            {routesHocon}
            ]
            """);
        await node.StartAsync(TimeSpan.FromSeconds(60));
        return new TunnelScenario(dir, users, node);
    }

    /// <summary>
    /// Starts <c>ssh -N -v -R 0</c> for <paramref name="user"/> and waits until <paramref name="host"/>
    /// no longer answers 503 (the endpoint reaches the HTTP side through the actors, just after the
    /// forward reply).
    /// </summary>
    public async Task<ExternalProcess> ConnectAsync(string user, string host, string probePath = "/")
    {
        var ssh = _users[user].Connect(Node, ["-N", "-v", "-R", "0"]);
        _tunnels.Add(ssh);
        var port = await TunnelClient.WaitForForwardAsync(ssh, Timeout);
        if (port is null)
            throw new InvalidOperationException("dynamic forward refused:\n" + ssh.Stderr + "\nnode:\n" + Node.Log);
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var probe = await Curl.GetAsync(Node, host, probePath, "-o", "/dev/null");
            if (probe.ExitCode == 0 && Curl.Parse(probe).Status != 503)
                return ssh;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{host} still not served by {user}'s tunnel\nssh:\n{ssh.Stderr}\nnode:\n{Node.Log}");
            await Task.Delay(100);
        }
    }

    /// <summary>Starts <c>ssh</c> for <paramref name="user"/> with <paramref name="flags"/> and waits for its forward replies; stopped on dispose.</summary>
    public async Task<ExternalProcess> StartTunnelAsync(string user, params string[] flags)
    {
        var ssh = _users[user].Connect(Node, flags);
        _tunnels.Add(ssh);
        await TunnelClient.WaitForForwardAsync(ssh, Timeout);
        return ssh;
    }

    /// <summary>Runs <c>ssh -S control -O cancel -R forward</c> against a master connection of <paramref name="user"/>.</summary>
    public Task<ProcessResult> StartCancelAsync(string user, string control, string forward)
        => _users[user].RunAsync(Node, ["-S", control, "-O", "cancel", "-R", forward], Timeout);

    /// <summary>Runs <c>ssh -S control -O forward -R forward</c>: a new forward on a master connection of <paramref name="user"/>.</summary>
    public Task<ProcessResult> StartForwardAsync(string user, string control, string forward)
        => _users[user].RunAsync(Node, ["-S", control, "-O", "forward", "-R", forward], Timeout);

    public async ValueTask DisposeAsync()
    {
        foreach (var tunnel in _tunnels)
            await tunnel.DisposeAsync();
        await Node.DisposeAsync();
    }
}
