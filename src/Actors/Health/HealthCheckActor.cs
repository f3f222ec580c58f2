using Akka.Actor;
using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Health;

/// <summary>
/// Runs a route's health checks for one endpoint, as a child of the session actor of the SSH
/// connection that serves it: each probe through a fresh channel of that connection
/// (<see cref="IHealthProbeOpener"/>), each check on its own schedule
/// (<see cref="HealthCheckSchedule"/>) and state (<see cref="HealthCheckState"/>). When the
/// endpoint's combined health (<see cref="EndpointHealthRollup"/>: healthy only when every check
/// passes) changes, it tells its parent, which writes it into the endpoint's entry, so every node
/// routes by it. Stopped with the endpoint; a probe in flight is cancelled.
/// </summary>
public sealed class HealthCheckActor : ReceiveActor, IWithTimers
{
    private sealed record RunProbe(int Check);

    private sealed record ProbeDone(int Check, HealthProbeResult Result);

    private readonly string _endpointId;
    private readonly string _routeId;
    private readonly string _routeName;
    private readonly RouteHealthChecks _checks;
    private readonly IHealthProbeOpener _opener;
    private readonly RouteTraffic _traffic;
    private readonly HealthCheckState[] _states;
    private readonly HealthCheckSchedule[] _schedules;
    private readonly bool[] _failing;
    private readonly CancellationTokenSource _stopping = new();
    private EndpointHealth _health = EndpointHealth.Unknown;
    private int _nextTarget;

    public ITimerScheduler Timers { get; set; } = null!;

    public HealthCheckActor(string endpointId, string routeId, string routeName, RouteHealthChecks checks, IHealthProbeOpener opener, RouteTraffic traffic)
    {
        _endpointId = endpointId;
        _routeId = routeId;
        _routeName = routeName;
        _checks = checks;
        _opener = opener;
        _traffic = traffic;
        _states = checks.Checks.Select(c => new HealthCheckState(c.Timing.UnhealthyThreshold, c.Timing.HealthyThreshold)).ToArray();
        _schedules = checks.Checks.Select(c => new HealthCheckSchedule(c.Timing)).ToArray();
        _failing = new bool[checks.Checks.Count];

        Receive<RunProbe>(OnRunProbe);
        Receive<ProbeDone>(OnProbeDone);
    }

    public static Props Props(string endpointId, string routeId, string routeName, RouteHealthChecks checks, IHealthProbeOpener opener, RouteTraffic traffic)
        => Akka.Actor.Props.Create(() => new HealthCheckActor(endpointId, routeId, routeName, checks, opener, traffic));

    protected override void PreStart()
    {
        for (var i = 0; i < _checks.Checks.Count; i++)
            Timers.StartSingleTimer(i, new RunProbe(i), _schedules[i].First());
    }

    // Not disposed: a probe still running holds its token until it sees the cancellation.
    protected override void PostStop() => _stopping.Cancel();

    private void OnRunProbe(RunProbe run)
    {
        var check = _checks.Checks[run.Check];
        var target = _checks.Targets[_nextTarget++ % _checks.Targets.Count];
        var opener = _opener;
        var endpointId = _endpointId;
        var token = _stopping.Token;
        Task.Run(() => check.Checker.CheckAsync(target, ct => opener.OpenAsync(endpointId, target, ct), token), token)
            .PipeTo(Self,
                success: result => new ProbeDone(run.Check, result),
                failure: ex => new ProbeDone(run.Check, HealthProbeResult.Failure(ex is OperationCanceledException ? "cancelled" : ex.Message)));
    }

    private void OnProbeDone(ProbeDone done)
    {
        if (_stopping.IsCancellationRequested) return;
        var check = _checks.Checks[done.Check];
        var state = _states[done.Check];
        var before = state.Health;
        var changed = state.Apply(Verdict(done.Result.Outcome));
        Report(done.Check, check, done.Result, before, changed);

        var health = EndpointHealthRollup.Combine(_states.Select(s => s.Health));
        if (health != _health)
        {
            // With one check its own line already says it; with several, the endpoint's state is a
            // roll-up no single check line shows.
            if (_checks.Checks.Count > 1)
                Context.Parent.Tell(new HealthCheckReport(_endpointId, $"health checks for {_routeName}: {Name(_health)} -> {Name(health)} ({Label(done.Check, check)}: {done.Result.Detail})"));
            _health = health;
            Context.Parent.Tell(new EndpointHealthChanged(_endpointId, health, done.Result.Detail));
        }
        Timers.StartSingleTimer(done.Check, new RunProbe(done.Check), _schedules[done.Check].Next(state, _traffic.HasTraffic(_routeId)));
    }

    /// <summary>
    /// Transitions are always shown and logged; other results when the check's
    /// <c>always_log_health_check_success</c> / <c>_failures</c> asks, and otherwise only the first
    /// failure of a streak (as Envoy logs only the initial failure event).
    /// </summary>
    private void Report(int index, RouteHealthCheck check, HealthProbeResult result, EndpointHealth before, bool changed)
    {
        var passed = result.Passed;
        var firstFailure = !passed && !_failing[index];
        _failing[index] = !passed;
        var label = Label(index, check);
        string? line = null;
        if (changed)
            line = $"{label} for {_routeName}: {Name(before)} -> {Name(_states[index].Health)} ({result.Detail})";
        else if (passed ? check.Timing.AlwaysLogSuccess : check.Timing.AlwaysLogFailures || firstFailure)
            line = $"{label} for {_routeName}: {(passed ? "passed" : "failed")} ({result.Detail})";
        // The session's status feed shows it to the client and writes it to the node log.
        if (line is not null) Context.Parent.Tell(new HealthCheckReport(_endpointId, line));
    }

    private string Label(int index, RouteHealthCheck check)
        => _checks.Checks.Count > 1 ? $"{check.Kind} health check {index + 1}" : $"{check.Kind} health check";

    public static string Name(EndpointHealth health) => health.ToString().ToUpperInvariant();

    private static ProbeVerdict Verdict(HealthProbeOutcome outcome) => outcome switch
    {
        HealthProbeOutcome.Success => ProbeVerdict.Pass,
        HealthProbeOutcome.Degraded => ProbeVerdict.PassDegraded,
        HealthProbeOutcome.ImmediateFailure => ProbeVerdict.FailImmediately,
        _ => ProbeVerdict.Fail,
    };
}
