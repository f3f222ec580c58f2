using Gateway.Contracts.SignIn;

namespace Gateway.Actors.SignIn;

/// <summary>What confirming or refusing a code came to.</summary>
public enum CodeDecisionResult
{
    Decided,
    /// <summary>No such code (never issued, or removed after it expired).</summary>
    Unknown,
    Expired,
    /// <summary>Confirmed or refused before (a replayed confirmation).</summary>
    AlreadyDecided,
}

/// <summary>
/// The cluster's sign-in state: sessions, key bindings, pending codes, the Data Protection key
/// ring and the nodes' assertion-signing keys, replicated to every node so that the loss of any
/// one node loses none of it. Reads are from this node's replica and never wait; writes wait for
/// a majority of nodes (bounded) and are visible locally at once.
/// </summary>
public interface ISignInStore
{
    SignInSession? FindSession(string sessionId);

    SessionBinding? FindBinding(string keyFingerprint);

    SignInCode? FindCode(string code);

    /// <summary>The bindings made under one session (to end its SSH connections).</summary>
    IReadOnlyList<SessionBinding> BindingsOf(string sessionId);

    Task SaveSessionAsync(SignInSession session, CancellationToken cancellationToken);

    /// <summary>Removes the session and every binding made under it.</summary>
    Task EndSessionAsync(string sessionId, CancellationToken cancellationToken);

    Task SaveBindingAsync(SessionBinding binding, CancellationToken cancellationToken);

    /// <summary>
    /// The pending, unexpired code for this key when there is one (so concurrent connections with
    /// one key show one URL), else a new code valid for <see cref="SignInCode.Lifetime"/>.
    /// </summary>
    Task<SignInCode> IssueCodeAsync(string keyFingerprint, string source, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Confirms (with the session that confirmed it) or refuses a pending code; a code is decided once.</summary>
    Task<CodeDecisionResult> DecideCodeAsync(string code, bool accept, string? sessionId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The Data Protection key ring as XML elements by key id (<c>IXmlRepository</c>'s storage).</summary>
    IReadOnlyDictionary<string, string> DataProtectionKeys { get; }

    Task SaveDataProtectionKeyAsync(string id, string xml, CancellationToken cancellationToken);

    /// <summary>Every node's public assertion-signing key (JWK JSON) by key id, for the JWKS document.</summary>
    IReadOnlyDictionary<string, string> AssertionKeys { get; }

    Task PublishAssertionKeyAsync(string keyId, string jwkJson, CancellationToken cancellationToken);

    /// <summary>Raised (on any thread) after this node's replica changed: a session ended, a binding or code was written.</summary>
    event Action? Changed;
}
