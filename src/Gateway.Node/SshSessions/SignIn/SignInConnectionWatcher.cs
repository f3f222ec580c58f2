using Gateway.Actors.Sessions;
using Gateway.Actors.SignIn;
using Gateway.Node.Tunnels;

namespace Gateway.Node.SshSessions.SignIn;

/// <summary>
/// Ends this node's SSH connections whose sign-in ended. Every <see cref="Interval"/>, and soon
/// after the store's <see cref="ISignInStore.Changed"/> event, it checks each connection in the
/// <see cref="LocalTunnelRegistry"/> (tunnels, and connections that only ran commands) whose
/// identity came from a sign-in: its session gone or expired, or its key's binding gone, expired
/// or taken over by another session, and the connection's session actor is told to end
/// (<see cref="EndSession"/>: endpoints withdrawn, downstream connections stopped, the status TUI
/// restored, then DISCONNECT "by application" with <c>sign-in ended: ...</c>). Every node runs
/// one, so a sign-out or <c>logout</c> anywhere ends the connections everywhere once the store's
/// replica has it. Configured users (keys, certificates) have no session and are never touched:
/// the config does not change at run time, so their admission cannot change either.
/// </summary>
public sealed class SignInConnectionWatcher : BackgroundService
{
    /// <summary>How often every connection is checked without a change (expiry has no event; Pomerium re-checks every minute).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long after a change the check runs: a sign-out's writes arrive together, and the
    /// <c>logout</c> command's own answer leaves before its connection is closed.
    /// </summary>
    public static readonly TimeSpan ChangeDelay = TimeSpan.FromMilliseconds(500);

    private readonly LocalTunnelRegistry _tunnels;
    private readonly ISignInStore? _store;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _ending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0, 1);

    public SignInConnectionWatcher(LocalTunnelRegistry tunnels, ILogger<SignInConnectionWatcher> logger, ISignInStore? store = null, TimeProvider? time = null)
    {
        _tunnels = tunnels;
        _store = store;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Checks every signed-in connection once; returns how many were told to end.</summary>
    public int Sweep()
    {
        if (_store is null) return 0;
        var now = _time.GetUtcNow();
        var ended = 0;
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tunnel in _tunnels.All)
        {
            if (tunnel.Identity.SessionId is null) continue;
            listed.Add(tunnel.SessionId);
            if (SignInCheck.WhyEnded(_store, tunnel.Identity, now) is not { } reason) continue;
            // Told once; it leaves the registry as its actor stops.
            if (!_ending.Add(tunnel.SessionId)) continue;
            var description = SignInCheck.Description(reason);
            _logger.LogInformation("ssh session {SessionId} of {Email}: {Description}; closing the connection", tunnel.SessionId, tunnel.Identity.Email, description);
            tunnel.SessionActor.Tell(new EndSession(description), Akka.Actor.ActorRefs.NoSender);
            ended++;
        }
        _ending.IntersectWith(listed);
        return ended;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_store is null) return;
        _store.Changed += OnChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (await _changed.WaitAsync(Interval, stoppingToken).ConfigureAwait(false))
                    await Task.Delay(ChangeDelay, stoppingToken).ConfigureAwait(false);
                try
                {
                    Sweep();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogWarning(ex, "sign-in watcher: checking the ssh connections failed; next check in {Interval}", Interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node stops; its connections close with it.
        }
        finally
        {
            _store.Changed -= OnChanged;
        }
    }

    private void OnChanged()
    {
        try
        {
            if (_changed.CurrentCount == 0) _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _changed.Dispose();
    }
}
