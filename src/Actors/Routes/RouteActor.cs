using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Gateway.Contracts.Messages;
using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Routes;

/// <summary>
/// The authority for one route's endpoint set, placed by Cluster Sharding. Registrations are
/// soft state: sessions re-register every <see cref="RouteActorSettings.ReRegisterInterval"/>, a
/// registration not refreshed within <see cref="RouteActorSettings.RegistrationTtl"/> expires, and
/// endpoints on an unreachable node are dropped at once. Every change is published to all nodes.
/// A registration is accepted only from the node it names, and an endpoint is changed or removed
/// only by the node that registered it: one member cannot place or withdraw another's sessions.
/// </summary>
public sealed class RouteActor : ReceiveActor, IWithTimers
{
    private sealed record Tick;

    private readonly string _routeId;
    private readonly RouteActorSettings _settings;
    private readonly string _incarnation = Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, Registration> _endpoints = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Address _selfAddress = Cluster.Get(Context.System).SelfAddress;
    private long _version;

    public RouteActor(string routeId, RouteActorSettings settings)
    {
        _routeId = routeId;
        _settings = settings;

        Receive<RegisterEndpoint>(OnRegister);
        Receive<UnregisterEndpoint>(OnUnregister);
        Receive<GetRouteEndpoints>(_ => Sender.Tell(CurrentState()));
        Receive<Terminated>(t => RemoveWhere(r => r.Session.Equals(t.ActorRef)));
        Receive<ClusterEvent.UnreachableMember>(e => RemoveWhere(r => r.Endpoint.NodeAddress == e.Member.Address.ToString()));
        Receive<ClusterEvent.MemberRemoved>(e => RemoveWhere(r => r.Endpoint.NodeAddress == e.Member.Address.ToString()));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        Receive<Tick>(_ => OnTick());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string routeId, RouteActorSettings settings) => Akka.Actor.Props.Create(() => new RouteActor(routeId, settings));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("tick", new Tick(), _settings.PublishInterval);
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));
        _log.Debug("route {0} started", _routeId);
    }

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);

    private void OnRegister(RegisterEndpoint message)
    {
        var endpoint = message.Endpoint;
        var sender = SenderNode();
        string? refusal =
            sender is null ? "it has no sender"
            : sender != endpoint.NodeAddress ? $"it came from {sender}, not from {endpoint.NodeAddress}, the node it names"
            : NodeOf(message.Session) != endpoint.NodeAddress ? $"its session actor lives on {NodeOf(message.Session)}, not on {endpoint.NodeAddress}"
            : message.RouteId != _routeId || endpoint.RouteId != _routeId ? $"it names route {endpoint.RouteId}"
            : endpoint.EndpointId != TunnelEndpoint.MakeId(endpoint.SessionId, endpoint.RouteId) ? $"its id does not match session {endpoint.SessionId}"
            : _endpoints.TryGetValue(endpoint.EndpointId, out var held) && held.Endpoint.NodeAddress != endpoint.NodeAddress
                ? $"the endpoint is held by {held.Endpoint.NodeAddress}"
                : null;
        if (refusal is not null)
        {
            _log.Warning("route {0}: refused registration of endpoint {1}: {2}", _routeId, endpoint.EndpointId, refusal);
            return;
        }

        var now = DateTime.UtcNow;
        var isNew = !_endpoints.TryGetValue(message.Endpoint.EndpointId, out var existing);
        _endpoints[message.Endpoint.EndpointId] = new Registration(message.Endpoint, message.Session, now);
        if (isNew)
        {
            Context.Watch(message.Session);
            Publish();
        }
        else if (existing!.Endpoint != message.Endpoint)
        {
            Publish();
        }
    }

    private void OnUnregister(UnregisterEndpoint message)
    {
        if (!_endpoints.TryGetValue(message.EndpointId, out var held)) return;
        var sender = SenderNode();
        if (sender != held.Endpoint.NodeAddress)
        {
            _log.Warning("route {0}: refused to unregister endpoint {1} of {2}: {3}", _routeId, message.EndpointId, held.Endpoint.NodeAddress,
                sender is null ? "the request has no sender" : $"the request came from {sender}");
            return;
        }
        _endpoints.Remove(message.EndpointId);
        Publish();
    }

    /// <summary>
    /// The node the current message came from, as an address string like the endpoints' (a local
    /// sender is this node); null when it has none. Akka.Remote takes the sender from the message
    /// envelope, so this stops a member from acting for another node's sessions through the
    /// ordinary API; a peer that writes its own envelopes is kept out by the cluster transport.
    /// </summary>
    private string? SenderNode()
    {
        var sender = Sender;
        if (sender is null || sender.IsNobody() || sender.Equals(Context.System.DeadLetters)) return null;
        return NodeOf(sender);
    }

    private string NodeOf(IActorRef actor)
        => (actor.Path.Address.HasLocalScope ? _selfAddress : actor.Path.Address).ToString();

    private void OnTick()
    {
        var cutoff = DateTime.UtcNow - _settings.RegistrationTtl;
        if (!RemoveWhere(r => r.LastSeen < cutoff))
            Publish();
    }

    private bool RemoveWhere(Func<Registration, bool> predicate)
    {
        var doomed = _endpoints.Where(kv => predicate(kv.Value)).Select(kv => kv.Key).ToList();
        if (doomed.Count == 0) return false;
        foreach (var id in doomed) _endpoints.Remove(id);
        Publish();
        return true;
    }

    private RouteEndpointsUpdated CurrentState() => new(
        _routeId, _incarnation, _version,
        [.. _endpoints.Values.Select(r => r.Endpoint).OrderBy(e => e.RegisteredAt).ThenBy(e => e.EndpointId, StringComparer.Ordinal)]);

    private void Publish()
    {
        _version++;
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Publish(EndpointTableActor.Topic, CurrentState()));
    }

    private sealed record Registration(TunnelEndpoint Endpoint, IActorRef Session, DateTime LastSeen);
}

public sealed record RouteActorSettings(TimeSpan ReRegisterInterval, TimeSpan RegistrationTtl, TimeSpan PublishInterval)
{
    public static RouteActorSettings Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(5));
}
