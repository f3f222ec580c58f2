using System.Globalization;
using Gateway.Testing;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// Network namespaces the test makes for itself: one per node, each with a veth pair to a bridge in
/// the test's namespace, on a /24 of its own (names and subnet unique per run). A node can be cut
/// off by dropping every packet to and from it (iptables DROP in its namespace: silence, not
/// refusal; this machine's kernel has no netem). Everything is removed on dispose, whatever
/// happened. Needs root, iproute2 and iptables (scripts/install-test-deps); without them the test
/// fails saying so.
/// </summary>
public sealed class NetworkLab : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);
    private readonly string _id;
    private readonly string _prefix;
    private readonly List<string> _namespaces = [];
    private readonly List<string> _links = [];
    private bool _bridge;

    private NetworkLab(string id, string prefix)
    {
        _id = id;
        _prefix = prefix;
    }

    public string Bridge => $"gwb{_id}";
    public string Namespace(int i) => $"gw{_id}n{i}";
    public string Address(int i) => string.Create(CultureInfo.InvariantCulture, $"{_prefix}.{10 + i}");
    private string HostSide(int i) => string.Create(CultureInfo.InvariantCulture, $"gwv{_id}{i}");
    private string NodeSide(int i) => string.Create(CultureInfo.InvariantCulture, $"gwe{_id}{i}");

    /// <summary>The command prefix that runs a program inside node <paramref name="i"/>'s namespace.</summary>
    public IReadOnlyList<string> Launcher(int i) => ["ip", "netns", "exec", Namespace(i)];

    public static async Task<NetworkLab> CreateAsync(int nodes)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2));
        var prefix = string.Create(CultureInfo.InvariantCulture, $"10.{200 + Random.Shared.Next(50)}.{Random.Shared.Next(250)}");
        var lab = new NetworkLab(id, prefix);
        await using var changing = await HostNetworkChanges.ChangingAsync();
        try
        {
            await lab.RunAsync("ip", "link", "add", lab.Bridge, "type", "bridge");
            lab._bridge = true;
            await lab.RunAsync("ip", "addr", "add", $"{prefix}.1/24", "dev", lab.Bridge);
            await lab.RunAsync("ip", "link", "set", lab.Bridge, "up");
            for (var i = 0; i < nodes; i++)
            {
                var ns = lab.Namespace(i);
                await lab.RunAsync("ip", "netns", "add", ns);
                lab._namespaces.Add(ns);
                await lab.RunAsync("ip", "link", "add", lab.HostSide(i), "type", "veth", "peer", "name", lab.NodeSide(i));
                lab._links.Add(lab.HostSide(i));
                await lab.RunAsync("ip", "link", "set", lab.NodeSide(i), "netns", ns);
                await lab.RunAsync("ip", "link", "set", lab.HostSide(i), "master", lab.Bridge);
                await lab.RunAsync("ip", "link", "set", lab.HostSide(i), "up");
                await lab.RunAsync("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
                await lab.RunAsync("ip", "netns", "exec", ns, "ip", "addr", "add", $"{lab.Address(i)}/24", "dev", lab.NodeSide(i));
                await lab.RunAsync("ip", "netns", "exec", ns, "ip", "link", "set", lab.NodeSide(i), "up");
            }
            return lab;
        }
        catch
        {
            await lab.RemoveAsync();
            throw;
        }
    }

    /// <summary>Drops every packet to and from node <paramref name="i"/>, silently (no RST, no ICMP).</summary>
    public async Task CutAsync(int i)
    {
        await RunAsync("ip", "netns", "exec", Namespace(i), "iptables", "-I", "INPUT", "-i", NodeSide(i), "-j", "DROP");
        await RunAsync("ip", "netns", "exec", Namespace(i), "iptables", "-I", "OUTPUT", "-o", NodeSide(i), "-j", "DROP");
    }

    private async Task RunAsync(string command, params string[] args)
    {
        var result = await ExternalProcess.RunAsync(command, args, CommandTimeout);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"network namespace setup failed (root, iproute2 and iptables are needed: scripts/install-test-deps): {command} {string.Join(' ', args)}: exit {result.ExitCode}: {result.Stderr.Trim()}");
    }

    public async ValueTask DisposeAsync()
    {
        await using var changing = await HostNetworkChanges.ChangingAsync();
        await RemoveAsync();
    }

    private async Task RemoveAsync()
    {
        // Deleting one end of a veth pair deletes both; the namespace's own cleanup is asynchronous.
        foreach (var link in _links)
            await ExternalProcess.RunAsync("ip", ["link", "del", link], CommandTimeout);
        foreach (var ns in _namespaces)
            await ExternalProcess.RunAsync("ip", ["netns", "del", ns], CommandTimeout);
        if (_bridge) await ExternalProcess.RunAsync("ip", ["link", "del", Bridge], CommandTimeout);
    }
}
