using Akka.Actor;
using Gateway.Actors.Endpoints;
using Gateway.Actors.Sessions;
using Gateway.Config;
using Gateway.Node.Hosting;
using Gateway.Node.Relay;
using Gateway.Node.Tunnels;

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
    /// <summary>
    /// How long no request may have run here before the drain counts as finished: long enough for
    /// a load balancer polling <c>/readyz</c> about once a second to have noticed.
    /// </summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(1500);

    private readonly Lock _gate = new();
    private readonly SshListener _ssh;
    private readonly RelayTicketStore _tickets;
    private readonly LocalTunnelRegistry _tunnels;
    private readonly LocalEndpoints _endpoints;
    private readonly ActorSystem _system;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<NodeDrain> _logger;
    private Task? _draining;
    private int _inFlight;
    private long _lastActivity = Environment.TickCount64;

    public NodeDrain(GatewayConfig config, SshListener ssh, RelayTicketStore tickets, LocalTunnelRegistry tunnels, LocalEndpoints endpoints,
        ActorSystem system, IHostApplicationLifetime lifetime, ILogger<NodeDrain> logger)
    {
        Timeout = (config.Cluster ?? new GatewayClusterConfig()).DrainTimeout;
        _ssh = ssh;
        _tickets = tickets;
        _tunnels = tunnels;
        _endpoints = endpoints;
        _system = system;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>Upper bound on waiting for in-flight requests (<c>cluster.drain_timeout</c>, default 15 s).</summary>
    public TimeSpan Timeout { get; }

    private volatile bool _isDraining;

    public bool IsDraining => _isDraining;

    public int InFlight => Volatile.Read(ref _inFlight);

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
        // Stopped while starting (a listener failed, or SIGTERM): nothing was handed out yet, nothing to hand over.
        lock (_gate) _draining ??= _lifetime.ApplicationStarted.IsCancellationRequested ? RunAsync(ct) : MarkDrainingAsync();
        return _draining;
    }

    private Task MarkDrainingAsync()
    {
        _isDraining = true;
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        _isDraining = true;
        var started = Environment.TickCount64;
        _logger.LogInformation("draining: readiness off, ssh listener closed, relay refusing new channels, endpoints unregistering");
        _ssh.StopAccepting();
        _tickets.Refusing = true;
        WithdrawEndpoints();

        var deadline = started + (long)Timeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline && !ct.IsCancellationRequested)
        {
            WithdrawEndpoints(); // also those whose handshake was already under way
            // Withdrawn here and the withdrawal published to the other nodes.
            var ownEndpointsGone = _endpoints.Count == 0 && _endpoints.PublishedCount == 0;
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
        _logger.LogInformation("drained after {Ms} ms ({InFlight} requests still running); leaving the cluster",
            Environment.TickCount64 - started, InFlight);
        await EndStatusViewsAsync().ConfigureAwait(false);
    }

    /// <summary>How long the status TUIs get to restore their users' terminals.</summary>
    private static readonly TimeSpan ViewsEndBound = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The SSH connections close as the node stops, too fast for anything sent then to arrive (the
    /// process exits with the actor system): every status TUI restores its user's terminal now.
    /// </summary>
    private async Task EndStatusViewsAsync()
    {
        try
        {
            await Task.WhenAll(_tunnels.All.Select(t => t.Status.EndViewsAsync(SshSessionActor.ServerShuttingDown))).WaitAsync(ViewsEndBound).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogInformation("status views still restoring after {Seconds} s; closing anyway", ViewsEndBound.TotalSeconds);
        }
    }

    /// <summary>Session ids whose actors the drain told to stop serving (only the drain's single task touches it).</summary>
    private readonly HashSet<string> _stopped = new(StringComparer.Ordinal);

    /// <summary>A session actor that stops serving withdraws its endpoints; the endpoint directory publishes the change.</summary>
    private void WithdrawEndpoints()
    {
        foreach (var tunnel in _tunnels.All)
            if (_stopped.Add(tunnel.SessionId)) tunnel.SessionActor.Tell(StopServing.Instance);
    }
}
