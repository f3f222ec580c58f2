using System.Security.Cryptography;
using Gateway.Actors.SignIn;
using Gateway.Contracts.SignIn;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// The sign-in store's contract in one process (one node, no replication): what the SSH side is
/// tested against. Writes are visible at once and raise <see cref="Changed"/>, as the cluster
/// store's local replica does.
/// </summary>
internal sealed class InMemorySignInStore : ISignInStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SignInSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SessionBinding> _bindings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SignInCode> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _dataProtection = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _assertionKeys = new(StringComparer.Ordinal);

    private Action? _changed;
    private int _subscribers;

    public event Action? Changed
    {
        add { lock (_gate) { _changed += value; _subscribers++; } }
        remove { lock (_gate) { _changed -= value; _subscribers--; } }
    }

    /// <summary>Who listens to <see cref="Changed"/> now (a wait that ended must have stopped listening).</summary>
    public int Subscribers { get { lock (_gate) return _subscribers; } }

    /// <summary>How many codes were made (not reused).</summary>
    public int CodesIssued { get; private set; }

    public SignInSession? FindSession(string sessionId) { lock (_gate) return _sessions.GetValueOrDefault(sessionId); }

    public SessionBinding? FindBinding(string keyFingerprint) { lock (_gate) return _bindings.GetValueOrDefault(keyFingerprint); }

    public SignInCode? FindCode(string code) { lock (_gate) return _codes.GetValueOrDefault(code); }

    public IReadOnlyList<SessionBinding> BindingsOf(string sessionId) { lock (_gate) return _bindings.Values.Where(b => b.SessionId == sessionId).ToList(); }

    public Task SaveSessionAsync(SignInSession session, CancellationToken cancellationToken)
    {
        lock (_gate) _sessions[session.Id] = session;
        Raise();
        return Task.CompletedTask;
    }

    public Task EndSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _sessions.Remove(sessionId);
            foreach (var binding in _bindings.Values.Where(b => b.SessionId == sessionId).ToList()) _bindings.Remove(binding.KeyFingerprint);
        }
        Raise();
        return Task.CompletedTask;
    }

    public Task SaveBindingAsync(SessionBinding binding, CancellationToken cancellationToken)
    {
        lock (_gate) _bindings[binding.KeyFingerprint] = binding;
        Raise();
        return Task.CompletedTask;
    }

    public Task<SignInCode> IssueCodeAsync(string keyFingerprint, string source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        SignInCode code;
        lock (_gate)
        {
            var pending = _codes.Values.FirstOrDefault(c => c.KeyFingerprint == keyFingerprint && c.IsPendingAt(now));
            if (pending is not null) return Task.FromResult(pending);
            code = new SignInCode(Base64Url(RandomNumberGenerator.GetBytes(16)), keyFingerprint, source, now, now + SignInCode.Lifetime);
            _codes[code.Code] = code;
            CodesIssued++;
        }
        Raise();
        return Task.FromResult(code);
    }

    public Task<CodeDecisionResult> DecideCodeAsync(string code, bool accept, string? sessionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        CodeDecisionResult result;
        lock (_gate)
        {
            if (!_codes.TryGetValue(code, out var current)) result = CodeDecisionResult.Unknown;
            else if (current.State != SignInCodeState.Pending) result = CodeDecisionResult.AlreadyDecided;
            else if (now >= current.ExpiresAt) result = CodeDecisionResult.Expired;
            else
            {
                _codes[code] = current with { State = accept ? SignInCodeState.Accepted : SignInCodeState.Denied, SessionId = accept ? sessionId : null };
                result = CodeDecisionResult.Decided;
            }
        }
        if (result == CodeDecisionResult.Decided) Raise();
        return Task.FromResult(result);
    }

    /// <summary>Shortens a code's life, as time passing would (the store removes codes some time after they expire).</summary>
    public void Expire(string code, DateTimeOffset at)
    {
        lock (_gate) _codes[code] = _codes[code] with { ExpiresAt = at };
        Raise();
    }

    public IReadOnlyDictionary<string, string> DataProtectionKeys { get { lock (_gate) return new Dictionary<string, string>(_dataProtection); } }

    public Task SaveDataProtectionKeyAsync(string id, string xml, CancellationToken cancellationToken)
    {
        lock (_gate) _dataProtection[id] = xml;
        return Task.CompletedTask;
    }

    public IReadOnlyDictionary<string, string> AssertionKeys { get { lock (_gate) return new Dictionary<string, string>(_assertionKeys); } }

    public Task PublishAssertionKeyAsync(string keyId, string jwkJson, CancellationToken cancellationToken)
    {
        lock (_gate) _assertionKeys[keyId] = jwkJson;
        return Task.CompletedTask;
    }

    private void Raise()
    {
        Action? handlers;
        lock (_gate) handlers = _changed;
        handlers?.Invoke();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
