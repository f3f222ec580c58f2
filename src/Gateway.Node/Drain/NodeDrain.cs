using Akka.Actor;
using Gateway.Actors.Routes;
using Gateway.Actors.Sessions;
using Gateway.Node.Relay;
using Gateway.Node.Tunnels;
using Gateway.Ssh.Server;

namespace Gateway.Node.Drain;

/// <summary>
/// The graceful drain of a node (SIGTERM or <c>POST /drain</c>). <see cref="DrainAsync"/> turns
/// readiness off, closes the SSH listener, makes the relay refuse new tokens, tells the session
/// actors to stop serving (they unregister their endpoints, so every node stops routing here, and
/// keep their SSH connections and open downstream connections), then waits until
/// this node's endpoints are gone from its own replica and no downstream request has been running
/// here for <see cref="QuietPeriod"/>, at most <see cref="Timeout"/>. Leaving the cluster (Akka's
/// coordinated shutdown) and closing the SSH connections follow when the host stops.
/// </summary>
public sealed class NodeDrain
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long no request may have run here before the drain counts as finished: long enough for
    /// a load balancer polling <c>/readyz</c> about once a second to have noticed.
    /// </summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(1500);

    private readonly Lock _gate = new();
    private Task? _draining;
    private Parts? _parts;
    private int _inFlight;
    private long _lastActivity = Environment.TickCount64;

    public NodeDrain(TimeSpan timeout) => Timeout = timeout;

    /// <summary>Upper bound on waiting for in-flight requests (<c>GATEWAY_DRAIN_TIMEOUT</c>, default 15 s).</summary>
    public TimeSpan Timeout { get; }

    private volatile bool _isDraining;

    public bool IsDraining => _isDraining;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>What the drain acts on, known once the node has started.</summary>
    public void Attach(SshServer? ssh, RelayTicketStore tickets, LocalTunnelRegistry tunnels, EndpointTable endpoints, ActorSystem system, ILogger logger)
    {
        lock (_gate) _parts = new Parts(ssh, tickets, tunnels, endpoints, system, logger);
    }

    /// <summary>Counts a downstream request running on this node (the HTTPS pipeline calls it).</summary>
    public void RequestStarted()
    {
        Interlocked.Increment(ref _inFlight);
        Volatile.Write(ref _lastActivity, Environment.TickCount64);
    }

    public void RequestEnded()
    {
        Volatile.Write(ref _lastActivity, Environment.TickCount64);
        Interlocked.Decrement(ref _inFlight);
    }

    /// <summary>Starts the drain, or joins the one already running; completes when in-flight work finished or the bound passed.</summary>
    public Task DrainAsync(CancellationToken ct)
    {
        lock (_gate) _draining ??= RunAsync(_parts, ct);
        return _draining;
    }

    private async Task RunAsync(Parts? parts, CancellationToken ct)
    {
        _isDraining = true;
        if (parts is null) return; // stopped while starting: nothing to hand over yet
        var started = Environment.TickCount64;
        parts.Logger.LogInformation("draining: readiness off, ssh listener closed, relay refusing new channels, endpoints unregistering");
        parts.Ssh?.StopAccepting();
        parts.Tickets.Refusing = true;
        WithdrawEndpoints(parts);

        var self = Akka.Cluster.Cluster.Get(parts.System).SelfAddress.ToString();
        var deadline = started + (long)Timeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline && !ct.IsCancellationRequested)
        {
            WithdrawEndpoints(parts); // also those whose handshake was already under way
            var ownEndpointsGone = !parts.Endpoints.Snapshot().Values.Any(list => list.Any(e => e.NodeAddress == self));
            var quiet = InFlight == 0 && Environment.TickCount64 - Volatile.Read(ref _lastActivity) >= (long)QuietPeriod.TotalMilliseconds;
            if (ownEndpointsGone && quiet) break;
            try
            {
                await Task.Delay(50, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        parts.Logger.LogInformation("drained after {Ms} ms ({InFlight} requests still running); leaving the cluster",
            Environment.TickCount64 - started, InFlight);
    }

    /// <summary>A session actor that stops serving unregisters its endpoints; the route actors publish the change.</summary>
    private static void WithdrawEndpoints(Parts parts)
    {
        foreach (var tunnel in parts.Tunnels.All)
            if (parts.Stopped.Add(tunnel.SessionId)) tunnel.SessionActor.Tell(StopServing.Instance);
    }

    private sealed record Parts(SshServer? Ssh, RelayTicketStore Tickets, LocalTunnelRegistry Tunnels, EndpointTable Endpoints, ActorSystem System, ILogger Logger)
    {
        /// <summary>Session ids whose actors the drain told to stop serving (only the drain's single task touches it).</summary>
        public HashSet<string> Stopped { get; } = new(StringComparer.Ordinal);
    }
}
