using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Gateway.Node.Http;

/// <summary>
/// Maps the synthetic host names used as YARP destination addresses (<c>ep-17.tunnel.invalid</c>)
/// to the route, endpoint and <c>to</c> URL they stand for. A short counter-based name keeps every
/// host within DNS label limits whatever the route and endpoint ids look like, and gives each
/// (endpoint, to) pair its own connection pool in SocketsHttpHandler.
/// </summary>
public sealed class TunnelDestinationTable
{
    /// <summary>The reserved TLD (RFC 2606) so a synthetic name can never resolve by accident.</summary>
    public const string Suffix = ".tunnel.invalid";

    private readonly ConcurrentDictionary<string, TunnelDestination> _byHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<TunnelDestination, string> _byDestination = new();
    private long _next;

    /// <summary>Returns the synthetic host for a destination, allocating one on first use.</summary>
    public string GetOrAddHost(TunnelDestination destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return _byDestination.GetOrAdd(destination, d =>
        {
            var host = "ep-" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture) + Suffix;
            _byHost[host] = d;
            return host;
        });
    }

    public bool TryResolve(string host, [NotNullWhen(true)] out TunnelDestination? destination)
    {
        destination = null;
        return host.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) && _byHost.TryGetValue(host, out destination);
    }

    public static bool IsSyntheticHost(string host) => host.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Forgets every destination not in <paramref name="live"/>; called after a config rebuild.</summary>
    public void RetainOnly(IReadOnlySet<TunnelDestination> live)
    {
        foreach (var (destination, host) in _byDestination)
        {
            if (live.Contains(destination))
                continue;
            _byDestination.TryRemove(destination, out _);
            _byHost.TryRemove(host, out _);
        }
    }

    public int Count => _byHost.Count;
}
