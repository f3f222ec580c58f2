using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Gateway.Contracts.SignIn;

namespace Gateway.Actors.SignIn;

/// <summary>
/// The only writer of this node's <see cref="SignInReplica"/>: follows the replicator's changes
/// to every sign-in key, runs this node's writes one at a time (so a check and the write it
/// decides on cannot interleave with another write from this node), and sweeps expired records.
/// </summary>
/// <remarks>
/// A write is applied to the replica at once and sent to the replicator with
/// <see cref="WriteMajority"/>. While a write to a key awaits its answer, the replicator's change
/// notifications for that key are held back: one sent before the replicator applied the write
/// would otherwise undo it here for a moment. When the answer comes the key is read again.
/// </remarks>
public sealed class SignInReplicaActor : ReceiveActor, IWithTimers
{
    public const string ActorName = "signin-replica";

    /// <summary>How long a write waits for a majority; then it stands locally and spreads by gossip.</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    /// <summary>A code stays this long past its expiry, so a late confirmation is told "expired", not "unknown".</summary>
    public static readonly TimeSpan CodeRetention = TimeSpan.FromMinutes(15);

    private readonly SignInReplica _replica;
    private readonly Func<DateTimeOffset> _now;
    private readonly IActorRef _replicator;
    private readonly UniqueAddress _self;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, int> _writesInFlight = [];
    private readonly HashSet<string> _heldBack = [];

    public SignInReplicaActor(SignInReplica replica, Func<DateTimeOffset> now)
    {
        _replica = replica;
        _now = now;
        var ddata = DistributedData.Get(Context.System);
        _replicator = ddata.Replicator;
        _self = Cluster.Get(Context.System).SelfUniqueAddress;

        Receive<Write>(OnWrite);
        Receive<UpdateSuccess>(s => WriteAnswered(s.Key, s.Request, null));
        Receive<UpdateTimeout>(t =>
        {
            _log.Warning("sign-in write to {0} was not confirmed by a majority within {1}s; it stands on this node and spreads by gossip",
                t.Key.Id, WriteTimeout.TotalSeconds);
            WriteAnswered(t.Key, t.Request, null);
        });
        Receive<ModifyFailure>(f => WriteAnswered(f.Key, f.Request, f.Cause));
        Receive<IUpdateFailure>(f => WriteAnswered(f.Key, f.Request, new InvalidOperationException($"sign-in write to {f.Key.Id} failed: {f.GetType().Name}")));
        Receive<Changed>(c => Replicated(c.Key, (LWWDictionary<string, string>)c.Data));
        Receive<GetSuccess>(g => g.Request is LocalRead, g => Replicated(g.Key, (LWWDictionary<string, string>)g.Data));
        Receive<NotFound>(n => n.Request is LocalRead, n => Replicated(n.Key, LWWDictionary<string, string>.Empty));
        Receive<GetSuccess>(_ => { }); // majority reads at start: their read repair reaches us as Changed
        Receive<NotFound>(_ => { });
        Receive<GetFailure>(f => _log.Info("sign-in: no majority answered the read of {0} at start; gossip brings it", f.Key.Id));
        Receive<ReadFromMajority>(_ =>
        {
            foreach (var key in _replica.AllKeys)
                _replicator.Tell(Dsl.Get(key, new ReadMajority(WriteTimeout), MajorityRead.Instance));
        });
        Receive<Sweep>(_ => OnWrite(new Write(() => new SignInPlan(ExpiredRecords(_now()), null), null)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SignInReplica replica, Func<DateTimeOffset> now)
        => Akka.Actor.Props.Create(() => new SignInReplicaActor(replica, now));

    protected override void PreStart()
    {
        foreach (var key in _replica.AllKeys) _replicator.Tell(Dsl.Subscribe(key, Self));
        // A node that joins holds nothing yet: read every key from a majority once it is up
        // instead of waiting for gossip to find each difference.
        var self = Self;
        Cluster.Get(Context.System).RegisterOnMemberUp(() => self.Tell(ReadFromMajority.Instance));
        Timers.StartPeriodicTimer(nameof(Sweep), Sweep.Instance, SweepInterval);
    }

    private void OnWrite(Write write)
    {
        SignInPlan plan;
        try
        {
            plan = write.Plan();
        }
        catch (Exception e)
        {
            write.Done?.TrySetException(e);
            return;
        }
        _replica.ApplyLocal(plan.Changes);
        var byKey = plan.Changes.GroupBy(c => _replica.KindOf(c.Kind).KeyOf(c.Id)).ToList();
        var batch = new WriteBatch(byKey.Count, plan.Result, write.Done);
        if (byKey.Count == 0) batch.Complete();
        foreach (var group in byKey)
        {
            var changes = group.ToList();
            _writesInFlight[group.Key.Id] = _writesInFlight.GetValueOrDefault(group.Key.Id) + 1;
            _replicator.Tell(Dsl.Update(group.Key, LWWDictionary<string, string>.Empty, ConsistencyOf(changes), batch,
                data => Apply(data, changes, _self)));
        }
    }

    /// <summary>
    /// A new Data Protection key waits for every reachable node, not a majority: the node that made it
    /// protects cookies with it as soon as this write returns, and a node that did not have it yet
    /// would refuse them (two nodes starting together each make one). Keys are made rarely (the first
    /// start, then every 90 days), so waiting for all costs nothing that matters.
    /// </summary>
    private static IWriteConsistency ConsistencyOf(List<SignInChange> changes)
        => changes.Any(c => c.Kind == SignInRecordKind.DataProtectionKey) ? new WriteAll(WriteTimeout) : new WriteMajority(WriteTimeout);

    private static LWWDictionary<string, string> Apply(LWWDictionary<string, string> data, List<SignInChange> changes, UniqueAddress self)
    {
        foreach (var change in changes)
            data = change.Text is null
                ? data.ContainsKey(change.Id) ? data.Remove(self, change.Id) : data
                : data.SetItem(self, change.Id, change.Text);
        return data;
    }

    private void WriteAnswered(IKey key, object? request, Exception? failure)
    {
        if (request is not WriteBatch batch) return;
        var left = _writesInFlight.GetValueOrDefault(key.Id) - 1;
        if (left > 0) _writesInFlight[key.Id] = left;
        else
        {
            _writesInFlight.Remove(key.Id);
            if (_heldBack.Remove(key.Id) || failure is not null)
                _replicator.Tell(Dsl.Get(_replica.AllKeys.First(k => k.Id == key.Id), ReadLocal.Instance, LocalRead.Instance));
        }
        if (failure is not null) batch.Fail(failure);
        else batch.Complete();
    }

    private void Replicated(IKey key, LWWDictionary<string, string> data)
    {
        if (_writesInFlight.ContainsKey(key.Id))
        {
            _heldBack.Add(key.Id);
            return;
        }
        _replica.Replace(key, data);
    }

    private List<SignInChange> ExpiredRecords(DateTimeOffset now)
    {
        var expired = new List<SignInChange>();
        expired.AddRange(_replica.Sessions.All().Where(s => !s.IsValidAt(now)).Select(s => new SignInChange(SignInRecordKind.Session, s.Id, null)));
        expired.AddRange(_replica.Bindings.All().Where(b => !b.IsValidAt(now)).Select(b => new SignInChange(SignInRecordKind.Binding, b.KeyFingerprint, null)));
        expired.AddRange(_replica.Codes.All().Where(c => c.ExpiresAt + CodeRetention <= now).Select(c => new SignInChange(SignInRecordKind.Code, c.Code, null)));
        return expired;
    }

    /// <summary>Run on this actor: decides the changes (from the replica as it is now) and the caller's result.</summary>
    public sealed record Write(Func<SignInPlan> Plan, TaskCompletionSource<object?>? Done);

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }

    private sealed class ReadFromMajority
    {
        public static readonly ReadFromMajority Instance = new();
    }

    private sealed class MajorityRead
    {
        public static readonly MajorityRead Instance = new();
    }

    private sealed class LocalRead
    {
        public static readonly LocalRead Instance = new();
    }

    /// <summary>One caller's write, done when the replicator answered for every key it touched.</summary>
    private sealed class WriteBatch(int keys, object? result, TaskCompletionSource<object?>? done)
    {
        private int _left = keys;
        private Exception? _failure;

        public void Complete()
        {
            if (--_left > 0) return;
            if (_failure is not null) done?.TrySetException(_failure);
            else done?.TrySetResult(result);
        }

        public void Fail(Exception failure)
        {
            _failure ??= failure;
            Complete();
        }
    }
}

/// <summary>What a write does: the records it changes and what the caller gets back.</summary>
public sealed record SignInPlan(IReadOnlyList<SignInChange> Changes, object? Result);
