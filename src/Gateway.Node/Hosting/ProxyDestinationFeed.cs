using Gateway.Actors.Endpoints;
using Gateway.Contracts.Tunnels;
using Gateway.Node.Balancing;
using Gateway.Node.Http;
using Gateway.Node.Tunnels;

namespace Gateway.Node.Hosting;

/// <summary>
/// Keeps YARP's destinations equal to the tunnel endpoints this node's replica lists, and YARP's
/// available destinations in line with their health and passive marks: after a change of an
/// endpoint's health (an update of its entry) or of the suspects (<see cref="EndpointSuspects"/>),
/// the routes' available destinations are recomputed by <see cref="HealthAwareDestinationsPolicy"/>
/// without a new configuration (<see cref="ProxyHealthState.Refresh"/>). Changes are gathered for
/// <see cref="CoalesceDelay"/> and applied once per burst: rebuilding the proxy's configuration
/// costs the size of the routes, so a thousand connections ending at once must not rebuild it a
/// thousand times. Under continuous churn the gap between rebuilds grows to three times the last
/// rebuild's duration, so rebuilding never takes more than about a quarter of the CPU. A request that picks a destination already gone meanwhile is sent to another
/// endpoint by the dialer. Starts following before the actor system starts, so no change is missed.
/// </summary>
public sealed class ProxyDestinationFeed : IHostedLifecycleService, IDisposable
{
    public static readonly TimeSpan CoalesceDelay = TimeSpan.FromMilliseconds(50);

    private readonly ProxyConfigBuilder _proxy;
    private readonly EndpointTable _endpoints;
    private readonly EndpointSuspects _suspects;
    private readonly ProxyHealthState _health;
    private readonly Lock _gate = new();
    private readonly Lock _flushGate = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly Timer _timer;
    private bool _scheduled;
    private long _delayTicks = CoalesceDelay.Ticks;

    public ProxyDestinationFeed(ProxyConfigBuilder proxy, EndpointTable endpoints, EndpointSuspects suspects, ProxyHealthState health)
    {
        _health = health;
        _proxy = proxy;
        _endpoints = endpoints;
        _suspects = suspects;
        _timer = new Timer(_ => Flush());
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _endpoints.Changed += OnRoutesChanged;
        _suspects.Changed += OnSuspectsChanged;
        OnSuspectsChanged();
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _endpoints.Changed -= OnRoutesChanged;
        _suspects.Changed -= OnSuspectsChanged;
        return Task.CompletedTask;
    }

    private void OnRoutesChanged(IReadOnlyCollection<string> routeIds)
    {
        lock (_gate)
        {
            _dirty.UnionWith(routeIds);
            if (_scheduled) return;
            _scheduled = true;
        }
        _timer.Change(TimeSpan.FromTicks(Volatile.Read(ref _delayTicks)), Timeout.InfiniteTimeSpan);
    }

    /// <summary>A node or endpoint became suspect or was cleared: every route's available destinations may change.</summary>
    private void OnSuspectsChanged() => OnRoutesChanged(_endpoints.RouteIds.Concat(_proxy.RouteIdsWithEndpoints).ToList());

    private void Flush()
    {
        // One flush at a time: a timer callback may start while the previous one still runs, and
        // an older reading of the table must never be applied after a newer one.
        lock (_flushGate)
        {
            List<string> routes;
            lock (_gate)
            {
                routes = [.. _dirty];
                _dirty.Clear();
                _scheduled = false;
            }
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var updates = routes.ToDictionary(id => id, id => (IReadOnlyList<string>)[.. _endpoints.Get(id).Select(e => e.EndpointId)], StringComparer.Ordinal);
            _proxy.UpdateEndpoints(updates);
            // Destinations added by the new configuration get their availability from YARP itself;
            // the others need it recomputed when only health or suspicion changed.
            _health.Refresh(routes, (route, endpoint) => _endpoints.Find(route, endpoint)?.Health ?? EndpointHealth.Unknown);
            var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            Volatile.Write(ref _delayTicks, Math.Max(CoalesceDelay.Ticks, 3 * took.Ticks));
        }
    }

    public void Dispose() => _timer.Dispose();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
