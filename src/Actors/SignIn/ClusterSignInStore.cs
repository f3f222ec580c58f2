using System.Security.Cryptography;
using Akka.Actor;
using Gateway.Contracts.SignIn;

namespace Gateway.Actors.SignIn;

/// <summary>
/// <see cref="ISignInStore"/> over Akka.DistributedData: every node holds a full replica
/// (<see cref="SignInReplica"/>) kept by its <see cref="SignInReplicaActor"/>. Reads are from
/// that replica. A write is visible here at once and returns when a majority of nodes hold it,
/// or after <see cref="SignInReplicaActor.WriteTimeout"/> (it stands here and spreads by gossip).
/// Created by DI; <see cref="Start"/> (from <see cref="SignInStoreHosting"/>) connects it to the actor system.
/// </summary>
public sealed class ClusterSignInStore : ISignInStore
{
    /// <summary>Bounds a caller's wait: for the actor system to start, and for the write's answer.</summary>
    private static readonly TimeSpan CallerBound = SignInReplicaActor.WriteTimeout + TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource<IActorRef> _actor = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;

    public ClusterSignInStore(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Replica.Changed += () => Changed?.Invoke();
    }

    public SignInReplica Replica { get; } = new();

    public event Action? Changed;

    /// <summary>Starts this node's replica actor in <paramref name="system"/> (once).</summary>
    public IActorRef Start(ActorSystem system)
    {
        var actor = system.ActorOf(SignInReplicaActor.Props(Replica, () => _time.GetUtcNow()), SignInReplicaActor.ActorName);
        _actor.SetResult(actor);
        return actor;
    }

    public SignInSession? FindSession(string sessionId) => Replica.Sessions.Find(sessionId);

    public SessionBinding? FindBinding(string keyFingerprint) => Replica.Bindings.Find(keyFingerprint);

    public SignInCode? FindCode(string code) => Replica.Codes.Find(code);

    public IReadOnlyList<SessionBinding> BindingsOf(string sessionId)
        => Replica.Bindings.All().Where(b => b.SessionId == sessionId).ToList();

    public IReadOnlyDictionary<string, string> DataProtectionKeys => Replica.DataProtectionKeys.AllText();

    public IReadOnlyDictionary<string, string> AssertionKeys => Replica.AssertionKeys.AllText();

    public Task SaveSessionAsync(SignInSession session, CancellationToken cancellationToken)
        => WriteAsync(() => Plan(null, Set(SignInRecordKind.Session, session.Id, session)), cancellationToken);

    public Task EndSessionAsync(string sessionId, CancellationToken cancellationToken)
        => WriteAsync(() => Plan(null,
            [
                new SignInChange(SignInRecordKind.Session, sessionId, null),
                .. BindingsOf(sessionId).Select(b => new SignInChange(SignInRecordKind.Binding, b.KeyFingerprint, null)),
            ]), cancellationToken);

    public Task SaveBindingAsync(SessionBinding binding, CancellationToken cancellationToken)
        => WriteAsync(() => Plan(null, Set(SignInRecordKind.Binding, binding.KeyFingerprint, binding)), cancellationToken);

    public async Task<SignInCode> IssueCodeAsync(string keyFingerprint, string source, DateTimeOffset now, CancellationToken cancellationToken)
        => (SignInCode)(await WriteAsync(() =>
        {
            var pending = Replica.Codes.All().Where(c => c.KeyFingerprint == keyFingerprint && c.IsPendingAt(now)).MaxBy(c => c.IssuedAt);
            if (pending is not null) return Plan(pending);
            var code = new SignInCode(NewCode(), keyFingerprint, source, now, now + SignInCode.Lifetime);
            return Plan(code, Set(SignInRecordKind.Code, code.Code, code));
        }, cancellationToken))!;

    public async Task<CodeDecisionResult> DecideCodeAsync(string code, bool accept, string? sessionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (accept && sessionId is null) throw new ArgumentException("a confirmed code names the session that confirmed it", nameof(sessionId));
        return (CodeDecisionResult)(await WriteAsync(() =>
        {
            var found = Replica.Codes.Find(code);
            if (found is null) return Plan(CodeDecisionResult.Unknown);
            // A replayed decision is told so even after the code expired.
            if (found.State != SignInCodeState.Pending) return Plan(CodeDecisionResult.AlreadyDecided);
            if (now >= found.ExpiresAt) return Plan(CodeDecisionResult.Expired);
            var decided = found with
            {
                State = accept ? SignInCodeState.Accepted : SignInCodeState.Denied,
                SessionId = accept ? sessionId : null,
            };
            return Plan(CodeDecisionResult.Decided, Set(SignInRecordKind.Code, code, decided));
        }, cancellationToken))!;
    }

    public Task SaveDataProtectionKeyAsync(string id, string xml, CancellationToken cancellationToken)
        => WriteAsync(() => Plan(null, new SignInChange(SignInRecordKind.DataProtectionKey, id, xml)), cancellationToken);

    public Task PublishAssertionKeyAsync(string keyId, string jwkJson, CancellationToken cancellationToken)
        => WriteAsync(() => Plan(null, new SignInChange(SignInRecordKind.AssertionKey, keyId, jwkJson)), cancellationToken);

    private async Task<object?> WriteAsync(Func<SignInPlan> plan, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(CallerBound);
        try
        {
            var actor = await _actor.Task.WaitAsync(bound.Token);
            var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
            actor.Tell(new SignInReplicaActor.Write(plan, done));
            return await done.Task.WaitAsync(bound.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the sign-in store did not answer within {CallerBound.TotalSeconds}s (is the actor system running?)");
        }
    }

    private static SignInPlan Plan(object? result, params SignInChange[] changes) => new(changes, result);

    private static SignInChange Set<T>(SignInRecordKind kind, string id, T record) => new(kind, id, SignInReplica.Encode(record));

    /// <summary>16 random bytes, URL-safe base64 without padding.</summary>
    private static string NewCode() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
