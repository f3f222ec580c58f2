using System.Collections.Immutable;
using Gateway.Actors.Routes;
using Gateway.Contracts.Tunnels;
using Gateway.Node.Http;
using Gateway.Node.Relay;

namespace Gateway.Node.Hosting;

/// <summary>
/// Keeps YARP's destinations equal to the tunnel endpoints this node's replica lists, minus those
/// on nodes whose relay port just failed (<see cref="RelaySuspects"/>). Starts following before the actor system starts, so no update is missed.
/// </summary>
public sealed class ProxyDestinationFeed : IHostedLifecycleService
{
    private readonly ProxyConfigBuilder _proxy;
    private readonly EndpointTable _endpoints;
    private readonly RelaySuspects _suspects;

    public ProxyDestinationFeed(ProxyConfigBuilder proxy, EndpointTable endpoints, RelaySuspects suspects)
    {
        _proxy = proxy;
        _endpoints = endpoints;
        _suspects = suspects;
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _endpoints.Changed += OnRouteChanged;
        _suspects.Changed += OnSuspectsChanged;
        OnSuspectsChanged();
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _endpoints.Changed -= OnRouteChanged;
        _suspects.Changed -= OnSuspectsChanged;
        return Task.CompletedTask;
    }

    private void OnRouteChanged(string routeId, ImmutableArray<TunnelEndpoint> endpoints)
        => _proxy.UpdateEndpoints(routeId, _suspects.Filter(endpoints).Select(e => e.EndpointId).ToList());

    /// <summary>A node became suspect or was cleared: every route may gain or lose destinations.</summary>
    private void OnSuspectsChanged()
    {
        foreach (var (routeId, endpoints) in _endpoints.Snapshot())
            OnRouteChanged(routeId, endpoints);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
