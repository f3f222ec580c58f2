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
    private readonly ConcurrentDictionary<string, (TunnelDestination Destination, long RetiredAt)> _retired = new(StringComparer.OrdinalIgnoreCase);
    private long _next;

    /// <summary>
    /// How long a destination that left the proxy's configuration still resolves. YARP may have
    /// picked it for a request just before the rebuild: the request then reaches the dialer, which
    /// sees the endpoint is gone and takes another of the route, instead of failing with a name
    /// nobody knows any more. Hosts are never reused, so a late resolve cannot reach a different endpoint.
    /// </summary>
    public static readonly TimeSpan RetiredGrace = TimeSpan.FromSeconds(30);

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
        if (!host.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase)) return false;
        if (_byHost.TryGetValue(host, out destination)) return true;
        if (!_retired.TryGetValue(host, out var retired)) return false;
        destination = retired.Destination;
        return true;
    }

    public static bool IsSyntheticHost(string host) => host.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Forgets every destination not in <paramref name="live"/>; called after a config rebuild.</summary>
    public void RetainOnly(IReadOnlySet<TunnelDestination> live)
    {
        var now = Environment.TickCount64;
        foreach (var (destination, host) in _byDestination)
        {
            if (live.Contains(destination))
                continue;
            _byDestination.TryRemove(destination, out _);
            _byHost.TryRemove(host, out _);
            _retired[host] = (destination, now);
        }
        foreach (var (host, retired) in _retired)
        {
            if (now - retired.RetiredAt > (long)RetiredGrace.TotalMilliseconds)
                _retired.TryRemove(host, out _);
        }
    }

    public int Count => _byHost.Count;
}
